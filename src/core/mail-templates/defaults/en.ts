import type { MailKind, MailTemplate } from '../kinds.ts';

// English, the fallback of every other language. Plain text: every mail client shows it,
// nothing to escape, links stay visible.
const signature = '\n\n-- \nThis message was sent by the sign-in service of {helpdeskName}.';

export const EN: Record<MailKind, MailTemplate> = {
  emailValidation: {
    subject: 'Confirm your email address',
    body: `Hello {name},\n\nPlease confirm your email address to finish creating your account. The page asks for the password you chose when you registered:\n\n{link}\n\nThe link works once and expires in {expiresHours, plural, one {# hour} other {# hours}}. If you did not register, ignore this email: without that password nothing is confirmed and the account cannot be used.${signature}`,
  },
  passwordReset: {
    subject: 'Reset your password',
    body: `Hello {name},\n\nSomeone (hopefully you) asked to reset the password of your account. Choose a new one here:\n\n{link}\n\nThe link works once and expires in {expiresMinutes, plural, one {# minute} other {# minutes}}. If you did not ask, ignore this email: your password stays as it is.${signature}`,
  },
  passwordResetExternal: {
    subject: 'Reset your password',
    body: `Hello {name},\n\nSomeone (hopefully you) asked to reset your password. Your account has no password here: you sign in with {appNames}. Change your password there:\n\n{appLinks}${signature}`,
  },
  registrationAttempt: {
    subject: 'Someone tried to register with your email',
    body: `Hello {name},\n\nSomeone (hopefully you) tried to create an account with this email address, but you already have one. Nothing was changed.\n\nSign in: {loginLink}\nForgot your password? {resetLink}\n\nIf this was not you, you can ignore this message.${signature}`,
  },
  emailCode: {
    subject: 'Your sign-in code: {code}',
    body: `Hello {name},\n\nYour sign-in code is {code}\n\nIt works once and expires in {expiresMinutes, plural, one {# minute} other {# minutes}}. If you are not signing in right now, someone knows your password: change it.${signature}`,
  },
  newDevice: {
    subject: 'New sign-in to your account',
    body: `Hello {name},\n\nYour account was signed in to from a new address.\n\nWhen: {at}\nAddress: {ip}\nDevice: {userAgent}\n\nIf this was not you, change your password and end the other sessions on your account page.${signature}`,
  },
  failedSignIns: {
    subject: 'Failed sign-in attempts on your account',
    body: `Hello {name},\n\nThere were many failed attempts to sign in to your account (last from {ip}). Further attempts from there are paused until {until}.\n\nIf this was you, wait and try again, or reset your password. If not, nothing is needed: your password was not accepted. Consider turning on two-factor authentication.${signature}`,
  },
  approved: {
    subject: 'Your account is approved',
    body: `Hello {name},\n\nYour account was approved. You can sign in now:\n\n{link}${signature}`,
  },
  adminBypass: {
    subject: 'Admin sign-in link',
    body: `Hello {name},\n\nHere is your one-time admin sign-in link, for when single sign-on is broken:\n\n{link}\n\nIt works once and expires in {expiresMinutes, plural, one {# minute} other {# minutes}}. If you did not ask for it, tell your other admins: someone knows your admin address.${signature}`,
  },
};
