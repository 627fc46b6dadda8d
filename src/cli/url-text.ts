/**
 * Text the user gave as a URL, quoted in an error without what could be a `user:password@` part (masked as
 * `***@`, everything up to the last `@`): it may not parse as a URL at all, so the mask works on the text.
 */
export function withoutUserinfo(text: string): string {
  return text.replace(/^([^@]*?:\/\/)?[\s\S]*@/, (_, scheme = '') => `${scheme}***@`);
}
