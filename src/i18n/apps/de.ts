import type { AppsMessages } from './en.ts';

export const deApps: AppsMessages = {
};
