/** Short-lived notices (invitations, errors), announced politely to screen readers. */
import { defineStore } from 'pinia'

export interface Toast { id: number, text: string, kind: 'info' | 'error', to?: string }

export const useToastsStore = defineStore('toasts', () => {
  const list = ref<Toast[]>([])
  let next = 1

  function show(text: string, options: { kind?: Toast['kind'], to?: string, ms?: number } = {}) {
    const toast: Toast = { id: next++, text, kind: options.kind ?? 'info', to: options.to }
    list.value = [...list.value, toast].slice(-4)
    if (import.meta.client) setTimeout(() => dismiss(toast.id), options.ms ?? 6000)
  }

  function dismiss(id: number) {
    list.value = list.value.filter(t => t.id !== id)
  }

  return { list, show, dismiss }
})
