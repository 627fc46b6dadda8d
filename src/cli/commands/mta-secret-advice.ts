/** The environment variable we suggest for a source's secret: MTA_WEBHOOK_SECRET for the source `mta`. */
export function secretEnvName(source: string): string {
  const upper = source.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  return upper === 'MTA' ? 'MTA_WEBHOOK_SECRET' : `${upper}_WEBHOOK_SECRET`;
}

/** How to hand a newly generated secret to the gateway, without ever showing the secret itself. */
export function secretAdvice(
  source: string,
  configFile: string,
  secretFile: string | undefined,
  fresh = true,
): string[] {
  const env = secretEnvName(source);
  const where = !fresh
    ? `MTA signs with the secret in ${secretFile}, which the config does not have yet.`
    : secretFile
      ? `A new secret (128 hex characters) was written to ${secretFile} (mode 0600); MTA signs with it from now on.`
      : 'A new secret (128 hex characters) was generated (shown above); MTA signs with it from now on.';
  const value = secretFile ? `"$(cat ${secretFile})"` : '<the secret>';
  return [
    where,
    `Give it to the gateway: in ${configFile}, under sources.${source}:`,
    `    secret: \${${env}}`,
    '  (and remove allowUnsigned), then start it (or restart it: the environment is read at start) with',
    `    ${env}=${value}`,
  ];
}
