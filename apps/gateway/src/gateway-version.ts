/**
 * The gateway's version, as `hello-ok` and `status` report it. Kept equal to `package.json`'s by
 * a test, so a release cannot forget it.
 */
export const GATEWAY_VERSION = '0.0.0';
