import type { MailKind, MailTemplate } from '../kinds.ts';

// German, formal address (Sie), as a helpdesk writes to its customers.
const signature = '\n\n-- \nDiese Nachricht wurde vom Anmeldedienst von {helpdeskName} gesendet.';

export const DE: Record<MailKind, MailTemplate> = {
  emailValidation: {
    subject: 'Bestätigen Sie Ihre E-Mail-Adresse',
    body: `Hallo {name},\n\nbitte bestätigen Sie Ihre E-Mail-Adresse, um Ihr Konto fertig einzurichten. Die Seite fragt nach dem Passwort, das Sie bei der Registrierung gewählt haben:\n\n{link}\n\nDer Link funktioniert einmal und läuft in {expiresHours, plural, one {# Stunde} other {# Stunden}} ab. Wenn Sie sich nicht registriert haben, ignorieren Sie diese E-Mail: Ohne dieses Passwort wird nichts bestätigt und das Konto kann nicht benutzt werden.${signature}`,
  },
  passwordReset: {
    subject: 'Setzen Sie Ihr Passwort zurück',
    body: `Hallo {name},\n\njemand (hoffentlich Sie) hat darum gebeten, das Passwort Ihres Kontos zurückzusetzen. Wählen Sie hier ein neues:\n\n{link}\n\nDer Link funktioniert einmal und läuft in {expiresMinutes, plural, one {# Minute} other {# Minuten}} ab. Wenn Sie nicht darum gebeten haben, ignorieren Sie diese E-Mail: Ihr Passwort bleibt, wie es ist.${signature}`,
  },
  passwordResetExternal: {
    subject: 'Setzen Sie Ihr Passwort zurück',
    body: `Hallo {name},\n\njemand (hoffentlich Sie) hat darum gebeten, Ihr Passwort zurückzusetzen. Ihr Konto hat hier kein Passwort: Sie melden sich mit {appNames} an. Ändern Sie Ihr Passwort dort:\n\n{appLinks}${signature}`,
  },
  registrationAttempt: {
    subject: 'Jemand wollte sich mit Ihrer E-Mail-Adresse registrieren',
    body: `Hallo {name},\n\njemand (hoffentlich Sie) wollte ein Konto mit dieser E-Mail-Adresse anlegen, aber Sie haben schon eines. Es wurde nichts geändert.\n\nAnmelden: {loginLink}\nPasswort vergessen? {resetLink}\n\nWenn Sie das nicht waren, können Sie diese Nachricht ignorieren.${signature}`,
  },
  emailCode: {
    subject: 'Ihr Anmeldecode: {code}',
    body: `Hallo {name},\n\nIhr Anmeldecode lautet {code}\n\nEr funktioniert einmal und läuft in {expiresMinutes, plural, one {# Minute} other {# Minuten}} ab. Wenn Sie sich gerade nicht anmelden, kennt jemand Ihr Passwort: Ändern Sie es.${signature}`,
  },
  newDevice: {
    subject: 'Neue Anmeldung bei Ihrem Konto',
    body: `Hallo {name},\n\nbei Ihrem Konto wurde sich von einer neuen Adresse aus angemeldet.\n\nWann: {at}\nAdresse: {ip}\nGerät: {userAgent}\n\nWenn Sie das nicht waren, ändern Sie Ihr Passwort und beenden Sie die anderen Sitzungen auf Ihrer Kontoseite.${signature}`,
  },
  failedSignIns: {
    subject: 'Fehlgeschlagene Anmeldeversuche bei Ihrem Konto',
    body: `Hallo {name},\n\nes gab viele fehlgeschlagene Versuche, sich bei Ihrem Konto anzumelden (zuletzt von {ip}). Weitere Versuche von dort sind bis {until} gesperrt.\n\nWenn Sie das waren, warten Sie und versuchen Sie es erneut, oder setzen Sie Ihr Passwort zurück. Wenn nicht, ist nichts zu tun: Ihr Passwort wurde nicht angenommen. Erwägen Sie, die Zwei-Faktor-Authentifizierung einzuschalten.${signature}`,
  },
  approved: {
    subject: 'Ihr Konto ist freigegeben',
    body: `Hallo {name},\n\nIhr Konto wurde freigegeben. Sie können sich jetzt anmelden:\n\n{link}${signature}`,
  },
  adminBypass: {
    subject: 'Admin-Anmeldelink',
    body: `Hallo {name},\n\nhier ist Ihr einmaliger Admin-Anmeldelink, für den Fall, dass Single Sign-on nicht funktioniert:\n\n{link}\n\nEr funktioniert einmal und läuft in {expiresMinutes, plural, one {# Minute} other {# Minuten}} ab. Wenn Sie ihn nicht angefordert haben, sagen Sie es Ihren anderen Admins: Jemand kennt Ihre Admin-Adresse.${signature}`,
  },
};
