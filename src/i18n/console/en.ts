// English messages of the other console sections: People, import, SSO traces, SCIM, Brand, Emails, notices and confirmations. Spread into ../en.ts; de.ts, fr.ts and es.ts here must have the same keys.
export const enConsole = {
};

export type ConsoleMessages = { readonly [K in keyof typeof enConsole]: string };
