/**
 * The MTA source's default message layouts for the built-in destinations: what a Slack message or an email
 * says about each MTA event type when the destination sets no `text`/`subject` of its own.
 */
export const MTA_LAYOUTS = {
  slack: {
    'delivery-status': { text: '{{ status.name }} for {{ phone }}' },
    'message-reply': { text: 'Reply from {{ phone }}: {{ text }}' },
    'message-send': { text: 'Message sent to {{ phone }}: {{ text }}' },
    'number-opt-in': { text: '{{ phone }} opted in' },
  },
  email: {
    'delivery-status': { subject: '{{ status.name }} for {{ phone }}' },
    'message-reply': { subject: 'Reply from {{ phone }}' },
    'message-send': { subject: 'Message sent to {{ phone }}' },
    'number-opt-in': { subject: '{{ phone }} opted in' },
  },
} as const;
