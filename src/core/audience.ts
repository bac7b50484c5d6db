import { z } from 'zod';

export const AUDIENCES = ['agents', 'users'] as const;
export type Audience = (typeof AUDIENCES)[number];
export const AudienceSchema = z.enum(AUDIENCES);
