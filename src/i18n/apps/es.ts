import type { AppsMessages } from './en.ts';

export const esApps: AppsMessages = {
};
