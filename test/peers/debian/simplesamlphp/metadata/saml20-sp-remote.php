<?php
// Empty on purpose: Frontdoor's SP metadata comes from its metadata URL (config.php).
