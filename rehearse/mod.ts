/**
 * The rehearsal's public face for other folders: `deno task rehearse` runs `main.ts`; its tests
 * use these to see the host's namespaces and links and to clean up after a run that was killed; the artifacts test reads units and their env files as it does.
 */
export { readEnvFile } from "./vms.ts";
export { parseUnit, vmCommand } from "./unit.ts";
export { listHostLinks, listNamespaces, namespacesAvailable, removeNetwork } from "./netns.ts";
