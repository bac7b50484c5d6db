# LemonLDAP::NG's portal as a PSGI application, served by plackup (HTTP::Server::PSGI) on a
# loopback port: no web server or FastCGI socket needed for the tests. The static files
# (skin, scripts) are served from Debian's htdocs like the packaged nginx site does.
use Plack::Builder;
use Lemonldap::NG::Portal::Main;

my $portal = Lemonldap::NG::Portal::Main->run( {} );
builder {
    enable 'Static', path => qr{^/static/}, root => '/usr/share/lemonldap-ng/portal/htdocs/';
    $portal;
};
