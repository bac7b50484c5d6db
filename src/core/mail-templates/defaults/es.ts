import type { MailKind, MailTemplate } from '../kinds.ts';

// Spanish, formal address (usted).
const signature = '\n\n-- \nEste mensaje fue enviado por el servicio de inicio de sesión de {helpdeskName}.';

export const ES: Record<MailKind, MailTemplate> = {
  emailValidation: {
    subject: 'Confirme su dirección de correo electrónico',
    body: `Hola, {name}:\n\nConfirme su dirección de correo electrónico para terminar de crear su cuenta. La página le pedirá la contraseña que eligió al registrarse:\n\n{link}\n\nEl enlace funciona una sola vez y caduca en {expiresHours, plural, one {# hora} other {# horas}}. Si no se ha registrado, ignore este correo: sin esa contraseña no se confirma nada y la cuenta no se puede usar.${signature}`,
  },
  passwordReset: {
    subject: 'Restablezca su contraseña',
    body: `Hola, {name}:\n\nAlguien (esperemos que usted) ha pedido restablecer la contraseña de su cuenta. Elija una nueva aquí:\n\n{link}\n\nEl enlace funciona una sola vez y caduca en {expiresMinutes, plural, one {# minuto} other {# minutos}}. Si no lo ha pedido, ignore este correo: su contraseña sigue como está.${signature}`,
  },
  passwordResetExternal: {
    subject: 'Restablezca su contraseña',
    body: `Hola, {name}:\n\nAlguien (esperemos que usted) ha pedido restablecer su contraseña. Su cuenta no tiene contraseña aquí: usted inicia sesión con {appNames}. Cambie su contraseña allí:\n\n{appLinks}${signature}`,
  },
  registrationAttempt: {
    subject: 'Alguien intentó registrarse con su correo electrónico',
    body: `Hola, {name}:\n\nAlguien (esperemos que usted) intentó crear una cuenta con esta dirección de correo electrónico, pero usted ya tiene una. No se ha cambiado nada.\n\nIniciar sesión: {loginLink}\n¿Olvidó su contraseña? {resetLink}\n\nSi no fue usted, puede ignorar este mensaje.${signature}`,
  },
  emailCode: {
    subject: 'Su código de inicio de sesión: {code}',
    body: `Hola, {name}:\n\nSu código de inicio de sesión es {code}\n\nFunciona una sola vez y caduca en {expiresMinutes, plural, one {# minuto} other {# minutos}}. Si no está iniciando sesión ahora mismo, alguien conoce su contraseña: cámbiela.${signature}`,
  },
  newDevice: {
    subject: 'Nuevo inicio de sesión en su cuenta',
    body: `Hola, {name}:\n\nSe inició sesión en su cuenta desde una dirección nueva.\n\nCuándo: {at}\nDirección: {ip}\nDispositivo: {userAgent}\n\nSi no fue usted, cambie su contraseña y cierre las demás sesiones en la página de su cuenta.${signature}`,
  },
  failedSignIns: {
    subject: 'Intentos fallidos de inicio de sesión en su cuenta',
    body: `Hola, {name}:\n\nHubo muchos intentos fallidos de iniciar sesión en su cuenta (el último desde {ip}). Los siguientes intentos desde allí quedan en pausa hasta {until}.\n\nSi fue usted, espere e inténtelo de nuevo, o restablezca su contraseña. Si no, no hace falta nada: su contraseña no fue aceptada. Considere activar la autenticación en dos pasos.${signature}`,
  },
  approved: {
    subject: 'Su cuenta está aprobada',
    body: `Hola, {name}:\n\nSu cuenta ha sido aprobada. Ya puede iniciar sesión:\n\n{link}${signature}`,
  },
  adminBypass: {
    subject: 'Enlace de inicio de sesión de administrador',
    body: `Hola, {name}:\n\nAquí tiene su enlace de inicio de sesión de administrador de un solo uso, para cuando el inicio de sesión único no funcione:\n\n{link}\n\nFunciona una sola vez y caduca en {expiresMinutes, plural, one {# minuto} other {# minutos}}. Si no lo ha pedido, avise a los demás administradores: alguien conoce su dirección de administrador.${signature}`,
  },
};
