#!/usr/bin/env bash
# Installs the identity providers from Debian that test/http/debian-idps-browser.test.ts
# signs in through (test/peers/debian/README.md). Idempotent and quick when they are there:
# one dpkg-query, no apt-get.
#
# - simplesamlphp (1.19, SAML 2.0 IdP), run by PHP's built-in web server (php-cli), with the
#   PHP extensions it needs that its package does not pull in (DOM/XML, mbstring, curl);
#   php-fpm and nginx only satisfy its "php" and "httpd" dependencies with the lightest
#   candidates (they are never started: the tests use `php -S`).
# - lemonldap-ng (2.16, OpenID Provider and SAML IdP), its portal run as a PSGI application
#   by plackup (libplack-perl): no web server or FastCGI. The portal loads its captcha
#   (GD::SecurityImage with Image::Magick), its OpenID Connect issuer (String::Random, and
#   IO::String for every issuer: without it the portal answers 500 "Initialization failed",
#   its debug log naming IO/String.pm) and its SAML library (XML::Simple, Lasso) at start even
#   when unused; Debian lists those as Recommends or Suggests only.
# - slapd (OpenLDAP 2.5) and ldap-utils (ldapadd), the directory of test/peers/slapd.ts that the
#   LDAP tests (test/protocols/ldap/) sign in against and sync from.
set -euo pipefail

packages=(
  slapd ldap-utils
  simplesamlphp php-cli php-xml php-mbstring php-curl php-fpm nginx
  lemonldap-ng liblemonldap-ng-portal-perl libplack-perl libstring-random-perl libxml-simple-perl
  libgd-securityimage-perl libimage-magick-perl liblasso-perl libio-string-perl
)

missing=()
for package in "${packages[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)"
  [ "$status" = "install ok installed" ] || missing+=("$package")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "identity providers from Debian: installed"
  exit 0
fi

echo "identity providers from Debian: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
