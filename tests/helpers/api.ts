/** A small HTTP client for tests, and flows that create users the way a person would. */
import { inject } from 'vitest'
import type { AuthResponse } from '../../shared/protocol/objects'

export interface ApiResponse<T = any> {
  status: number
  body: T
  headers: Headers
}

export function baseURL(): string {
  return inject('baseURL')
}

export async function api<T = any>(method: string, path: string, options: { token?: string, body?: unknown, raw?: string, headers?: Record<string, string>, base?: string } = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token) headers.authorization = `Bearer ${options.token}`
  let body: string | undefined
  if (options.raw !== undefined) body = options.raw
  else if (options.body !== undefined) body = JSON.stringify(options.body)
  if (body !== undefined) headers['content-type'] ??= 'application/json'
  const res = await fetch((options.base ?? baseURL()) + '/api/v1' + path, { method, headers, body, redirect: 'manual' })
  const text = await res.text()
  let parsed: any = text
  try {
    parsed = text ? JSON.parse(text) : null
  }
  catch { /* not JSON */ }
  return { status: res.status, body: parsed, headers: res.headers }
}

let counter = 0
export function uniqueName(prefix = 'u'): string {
  counter++
  return `${prefix}${Date.now().toString(36)}${process.pid.toString(36)}${counter}${Math.floor(Math.random() * 1296).toString(36)}`.slice(0, 32)
}

export interface TestUser extends AuthResponse {
  token: string
  password: string
}

export async function registerUser(options: { username?: string, base?: string } = {}): Promise<TestUser> {
  const username = options.username ?? uniqueName()
  const password = 'correct horse battery'
  const res = await api<AuthResponse>('POST', '/auth/register', { body: { email: `${uniqueName('e')}@example.test`, username, password }, base: options.base })
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`)
  return { ...res.body, token: res.body.access_token, password }
}

/** Creates a group room owned by `owner` with the given members. */
export async function createRoom(owner: TestUser, memberIds: number[] = [], name = uniqueName('room'), base?: string): Promise<any> {
  const res = await api('POST', '/rooms', { token: owner.token, body: { name, member_ids: memberIds }, base })
  if (res.status !== 201) throw new Error(`create room failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

export async function ticketFor(user: TestUser, base?: string): Promise<string> {
  const res = await api('POST', '/auth/ws-ticket', { token: user.token, base })
  if (res.status !== 200) throw new Error(`ticket failed: ${res.status}`)
  return res.body.ticket
}
