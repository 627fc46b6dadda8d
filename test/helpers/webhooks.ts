import { sign } from '../../src/ingress/signature.ts';

/** POSTs `payload` as JSON to `${url}/webhooks/mta`, signed with `secret` (X-Signature) as MTA signs it. */
export function postSigned(url: string, secret: string, payload: unknown): Promise<Response> {
  const text = JSON.stringify(payload);
  return fetch(`${url}/webhooks/mta`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': sign(secret, text) },
    body: text,
  });
}
