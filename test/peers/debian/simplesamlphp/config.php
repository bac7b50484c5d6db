<?php
// SimpleSAMLphp 1.19 (Debian's simplesamlphp) as a SAML 2.0 IdP for Frontdoor's tests.
// test/peers/debian/simplesamlphp.ts points SIMPLESAMLPHP_CONFIG_DIR here and passes what
// changes per run (its address, the scratch directory) as environment variables, so these
// files are used as they are, never rewritten.
$state = getenv('SSP_STATE_DIR');
// Frontdoor's apps (the SPs) are known from their own metadata, which the test helper saves
// in the scratch directory once each app exists (simplesamlphp.ts, trustServiceProvider).
$serviceProviders = [['type' => 'flatfile']];
foreach (glob($state . '/sp-*.xml') ?: [] as $file) {
    $serviceProviders[] = ['type' => 'xml', 'file' => $file];
}
$config = [
    // A full URL: PHP's built-in server serves www/ at the root of this address.
    'baseurlpath' => getenv('SSP_BASE_URL'),
    'certdir' => $state,
    'loggingdir' => $state,
    'datadir' => $state,
    'tempdir' => $state . '/tmp',
    'metadatadir' => __DIR__ . '/metadata',
    // Our IdP from the flat files here; Frontdoor from its SP metadata document, as published.
    'metadata.sources' => $serviceProviders,
    'secretsalt' => 'frontdoor-tests-not-a-secret',
    'auth.adminpassword' => 'frontdoor-tests-admin',
    'admin.protectindexpage' => false,
    'admin.protectmetadata' => false,
    'admin.checkforupdates' => false,
    'technicalcontact_name' => 'Frontdoor tests',
    'technicalcontact_email' => 'tests@example.org',
    'timezone' => 'UTC',
    'trusted.url.domains' => ['127.0.0.1', 'localhost'],
    'enable.saml20-idp' => true,
    'enable.shib13-idp' => false,
    'module.enable' => ['exampleauth' => true, 'core' => true, 'saml' => true, 'admin' => true],
    'store.type' => 'phpsession',
    'session.phpsession.savepath' => $state . '/sessions',
    // Plain http on loopback: cookies without Secure, and SameSite left to the browser's Lax
    // (SameSite=None needs Secure).
    'session.cookie.secure' => false,
    'session.cookie.samesite' => null,
    'language.cookie.secure' => false,
    'language.cookie.samesite' => null,
    'showerrors' => true,
    'errorreporting' => false,
    'logging.level' => SimpleSAML\Logger::NOTICE,
    'logging.handler' => 'file',
    'logging.logfile' => 'simplesamlphp.log',
    'production' => false,
    'debug' => ['saml' => false, 'backtraces' => true, 'validatexml' => false],
];
