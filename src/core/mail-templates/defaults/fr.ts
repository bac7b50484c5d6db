import type { MailKind, MailTemplate } from '../kinds.ts';

// French, with the typographic apostrophe (’): ICU reads a straight one before a brace as a quote.
const signature = '\n\n-- \nCe message a été envoyé par le service de connexion de {helpdeskName}.';

export const FR: Record<MailKind, MailTemplate> = {
  emailValidation: {
    subject: 'Confirmez votre adresse e-mail',
    body: `Bonjour {name},\n\nVeuillez confirmer votre adresse e-mail pour terminer la création de votre compte. La page vous demande le mot de passe choisi lors de votre inscription :\n\n{link}\n\nLe lien ne fonctionne qu’une fois et expire dans {expiresHours, plural, one {# heure} other {# heures}}. Si vous ne vous êtes pas inscrit, ignorez cet e-mail : sans ce mot de passe, rien n’est confirmé et le compte ne peut pas être utilisé.${signature}`,
  },
  passwordReset: {
    subject: 'Réinitialisez votre mot de passe',
    body: `Bonjour {name},\n\nQuelqu’un (vous, espérons-le) a demandé à réinitialiser le mot de passe de votre compte. Choisissez-en un nouveau ici :\n\n{link}\n\nLe lien ne fonctionne qu’une fois et expire dans {expiresMinutes, plural, one {# minute} other {# minutes}}. Si vous n’avez rien demandé, ignorez cet e-mail : votre mot de passe reste inchangé.${signature}`,
  },
  passwordResetExternal: {
    subject: 'Réinitialisez votre mot de passe',
    body: `Bonjour {name},\n\nQuelqu’un (vous, espérons-le) a demandé à réinitialiser votre mot de passe. Votre compte n’a pas de mot de passe ici : vous vous connectez avec {appNames}. Changez votre mot de passe là-bas :\n\n{appLinks}${signature}`,
  },
  registrationAttempt: {
    subject: 'Quelqu’un a tenté de s’inscrire avec votre adresse e-mail',
    body: `Bonjour {name},\n\nQuelqu’un (vous, espérons-le) a tenté de créer un compte avec cette adresse e-mail, mais vous en avez déjà un. Rien n’a été modifié.\n\nSe connecter : {loginLink}\nMot de passe oublié ? {resetLink}\n\nSi ce n’était pas vous, vous pouvez ignorer ce message.${signature}`,
  },
  emailCode: {
    subject: 'Votre code de connexion : {code}',
    body: `Bonjour {name},\n\nVotre code de connexion est {code}\n\nIl ne fonctionne qu’une fois et expire dans {expiresMinutes, plural, one {# minute} other {# minutes}}. Si vous n’êtes pas en train de vous connecter, quelqu’un connaît votre mot de passe : changez-le.${signature}`,
  },
  newDevice: {
    subject: 'Nouvelle connexion à votre compte',
    body: `Bonjour {name},\n\nUne connexion à votre compte a eu lieu depuis une nouvelle adresse.\n\nQuand : {at}\nAdresse : {ip}\nAppareil : {userAgent}\n\nSi ce n’était pas vous, changez votre mot de passe et fermez les autres sessions depuis la page de votre compte.${signature}`,
  },
  failedSignIns: {
    subject: 'Tentatives de connexion échouées sur votre compte',
    body: `Bonjour {name},\n\nIl y a eu de nombreuses tentatives de connexion échouées sur votre compte (la dernière depuis {ip}). Les tentatives suivantes depuis cette adresse sont suspendues jusqu’à {until}.\n\nSi c’était vous, patientez puis réessayez, ou réinitialisez votre mot de passe. Sinon, rien à faire : votre mot de passe n’a pas été accepté. Pensez à activer l’authentification à deux facteurs.${signature}`,
  },
  approved: {
    subject: 'Votre compte est approuvé',
    body: `Bonjour {name},\n\nVotre compte a été approuvé. Vous pouvez vous connecter dès maintenant :\n\n{link}${signature}`,
  },
  adminBypass: {
    subject: 'Lien de connexion administrateur',
    body: `Bonjour {name},\n\nVoici votre lien de connexion administrateur à usage unique, pour le cas où l’authentification unique ne fonctionne pas :\n\n{link}\n\nIl ne fonctionne qu’une fois et expire dans {expiresMinutes, plural, one {# minute} other {# minutes}}. Si vous ne l’avez pas demandé, prévenez vos autres administrateurs : quelqu’un connaît votre adresse d’administrateur.${signature}`,
  },
};
