<?php
// The test users: SimpleSAMLphp's exampleauth module (static users and passwords).
$config = [
    'admin' => ['core:AdminPassword'],
    'example-userpass' => [
        'exampleauth:UserPass',
        'student:studentpass' => [
            'uid' => ['student'],
            'mail' => ['student@example.org'],
            'givenName' => ['Stu'],
            'sn' => ['Dent'],
            'displayName' => ['Stu Dent'],
            'eduPersonAffiliation' => ['member', 'student'],
        ],
        'employee:employeepass' => [
            'uid' => ['employee'],
            'mail' => ['employee@example.org'],
            'givenName' => ['Emma'],
            'sn' => ['Ployee'],
            'displayName' => ['Emma Ployee'],
            'eduPersonAffiliation' => ['member', 'employee'],
        ],
        'faculty:facultypass' => [
            'uid' => ['faculty'],
            'mail' => ['faculty@example.org'],
            'givenName' => ['Fay'],
            'sn' => ['Culty'],
            'displayName' => ['Fay Culty'],
            'eduPersonAffiliation' => ['member', 'faculty'],
        ],
    ],
];
