import type { AppsMessages } from './en.ts';

export const frApps: AppsMessages = {
};
