export { assertPublicAddress, forbiddenReason, isForbiddenAddress, parseLegacyIPv4 } from "./address.js";
export { resolveAndCheck, systemLookup } from "./resolve.js";
export type { LookupAll, ResolveOptions, ResolvedAddress } from "./resolve.js";
