// English messages of the auth apps pages: catalogue, install and edit forms, protocol fields, trust fields, Test, Test sign-in report, shared secret. Spread into ../en.ts; de.ts, fr.ts and es.ts here must have the same keys.
export const enApps = {
};

export type AppsMessages = { readonly [K in keyof typeof enApps]: string };
