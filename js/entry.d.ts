// Types of the Node and workerd entries: the same API as the browser entry,
// already initialised.
export * from "./apikeys.js";
/** Already initialised: kept for symmetry with the browser entry. */
export default function init(): Promise<void>;
