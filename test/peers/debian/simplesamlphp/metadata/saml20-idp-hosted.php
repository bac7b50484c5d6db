<?php
// The IdP itself: entity id {SSP_BASE_URL}saml2/idp/metadata.php, signing key made per run.
$metadata['__DYNAMIC:1__'] = [
    'host' => '__DEFAULT__',
    'privatekey' => 'idp.key',
    'certificate' => 'idp.crt',
    'auth' => 'example-userpass',
    // Frontdoor signs its AuthnRequests and logout messages: check them.
    'validate.authnrequest' => true,
    'validate.logout' => true,
    'sign.logout' => true,
    'saml20.sign.assertion' => true,
    'saml20.sign.response' => true,
    // SSP_ENCRYPT_ASSERTIONS=1: assertions encrypted to the SP's key from its metadata.
    'assertion.encryption' => getenv('SSP_ENCRYPT_ASSERTIONS') === '1',
    'NameIDFormat' => 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    'authproc' => [
        // The NameID is the person's email (the format Frontdoor asks for by default).
        10 => [
            'class' => 'saml:AttributeNameID',
            'attribute' => 'mail',
            'Format' => 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
        ],
    ],
];
