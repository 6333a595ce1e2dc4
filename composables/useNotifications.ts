/**
 * Browser notifications for messages in rooms not in view. Permission is only asked from a button the
 * user presses (never on load); "Not now" is remembered; a denied permission switches them off.
 */
import type { Message } from '~/shared/protocol/objects'

const DISMISS_KEY = 'mm_notify_dismissed'

export function useNotifications() {
  const permission = useState<NotificationPermission | 'unsupported'>('notify-permission', () => 'default')
  const dismissed = useState('notify-dismissed', () => false)

  function init() {
    if (import.meta.server) return
    permission.value = 'Notification' in window ? Notification.permission : 'unsupported'
    dismissed.value = localStorage.getItem(DISMISS_KEY) === '1'
  }

  const shouldAsk = computed(() => permission.value === 'default' && !dismissed.value)

  async function ask() {
    if (!('Notification' in window)) return
    permission.value = await Notification.requestPermission()
  }

  function dismiss() {
    dismissed.value = true
    localStorage.setItem(DISMISS_KEY, '1')
  }

  function notify(title: string, message: Message, onClick: () => void) {
    if (permission.value !== 'granted' || message.is_deleted) return
    try {
      const n = new Notification(title, { body: `${message.sender?.username ?? ''}: ${message.content.slice(0, 140)}`, tag: `room-${message.room_id}` })
      n.onclick = () => {
        window.focus()
        onClick()
        n.close()
      }
    }
    catch { /* some platforms only allow notifications from a service worker */ }
  }

  return { permission, shouldAsk, init, ask, dismiss, notify }
}
