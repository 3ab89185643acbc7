package SoftAuthn;

# SPDX-License-Identifier: Apache-2.0
# A software WebAuthn authenticator for the passkey tests, written from the
# WebAuthn Level 3 and COSE specifications only (nothing of the C code):
# it turns the options JSON of passkey/register/begin and passkey/begin
# into the standard RegistrationResponseJSON / AuthenticationResponseJSON
# (PublicKeyCredential.toJSON()).
#
#   my $a = SoftAuthn->new(origin => 'http://localhost:8529',
#                          rp_id => 'localhost', alg => 'ES256',
#                          be => 0, bs => 0, attestation => 'none');
#   my $reg  = $a->register($creation_options);     # a hash, to_json() it
#   my $auth = $a->assert($request_options);
#
# Keys: ES256 (P-256), RS256 (RSA 2048) and EdDSA (Ed25519), from CryptX.
# CBOR from CBOR::XS, with every map built by as_map so that COSE keys get
# integer keys, and every binary value forced to a byte string (as_bytes),
# every name to a text string (as_text).
# Attestation: none, packed self (signed with the credential key), packed
# x5c (signed with an attestation key whose certificate chain is given).
# Flags: UP, UV, BE, BS per authenticator, and per call. The signature
# counter is kept here (counter_step per assertion; 0 keeps it at 0).
#
# Every call accepts overrides (per call, for the negative tests):
#   origin, rp_id, challenge (base64url text), type, cross_origin,
#   up, uv, be, bs, flags (the whole byte), counter, cred_id (the id and
#   rawId sent), cose_alg (the alg written in the COSE key),
#   attestation, fmt, client_data_json (the exact bytes), user_handle;
#   assert also signature (the bytes sent) and authenticator_data (a sub
#   that changes the bytes sent).
#
# It also makes the test PKI with the openssl command line (make_ca,
# make_attestation_cert): a root CA and packed attestation certificates
# (subject C/O/OU=Authenticator Attestation/CN, CA:FALSE, the
# id-fido-gen-ce-aaguid extension 1.3.6.1.4.1.45724.1.1.4 holding the
# AAGUID as an OCTET STRING).

use strict;
use warnings;

use CBOR::XS ();
use Crypt::PK::ECC ();
use Crypt::PK::Ed25519 ();
use Crypt::PK::RSA ();
use Digest::SHA qw(sha256);
use File::Spec::Functions qw(catfile);
use JSON::PP ();
use POSIX ();

use StepupToken ();

use constant {
    FLAG_UP => 0x01,
    FLAG_UV => 0x04,
    FLAG_BE => 0x08,
    FLAG_BS => 0x10,
    FLAG_AT => 0x40,
    FLAG_ED => 0x80,
};

my %ALG = (ES256 => -7, EdDSA => -8, RS256 => -257);

# base64url without padding, and back; random bytes: the token oracle's
{
    no warnings 'once';
    *b64u = \&StepupToken::b64url;
    *unb64u = \&StepupToken::b64url_decode;
    *random_bytes = \&StepupToken::random_bytes;
}

# 32 hex digits, or the UUID text, to 16 bytes.
sub aaguid_bytes {
    my ($text) = @_;
    (my $hex = $text) =~ s/-//g;
    die "not an AAGUID: $text\n" unless $hex =~ /^[0-9a-fA-F]{32}$/;
    return pack 'H*', $hex;
}

sub aaguid_text {
    my ($bytes) = @_;
    my $h = unpack 'H*', $bytes;
    return join '-', substr($h, 0, 8), substr($h, 8, 4), substr($h, 12, 4),
        substr($h, 16, 4), substr($h, 20, 12);
}

sub cbor {
    my ($item) = @_;
    return CBOR::XS->new->encode($item);
}

sub _t { CBOR::XS::as_text($_[0]) }
sub _b { CBOR::XS::as_bytes($_[0]) }
sub _i { CBOR::XS::as_int($_[0]) }

# Big-endian bytes of a hex number without leading zero bytes.
sub _hex_bytes {
    my ($hex) = @_;
    $hex = "0$hex" if length($hex) % 2;
    my $b = pack 'H*', $hex;
    $b =~ s/^\x00+(?=.)//s;
    return $b;
}

# new(%options):
#   origin, rp_id (required): what the "browser" puts in clientDataJSON and
#     what the authenticator hashes into authenticatorData
#   alg: ES256 (default), RS256, EdDSA
#   aaguid: 16 bytes or UUID text (default all zero)
#   up (1), uv (1), be (0), bs (0): flags of every response
#   counter (0): the current signature counter; counter_step
#   attestation: none (default), self, x5c, fido-u2f
#   x5c: [DER, ...] and att_key: PEM text of the attestation private key
#     (ES256), for attestation x5c and fido-u2f (which sends x5c's first)
#   transports: [ 'usb', ... ] (default [ 'internal' ])
#   cred_id: bytes (default 32 random bytes)
#   rsa_bytes: the RS256 key's size (default 256: 2048 bits)
#   cose: the credential public key sent at registration, as COSE_Key bytes
#     (default: the key's); a key the authenticator cannot sign with
sub new {
    my ($class, %o) = @_;
    my $self = bless {
        alg => 'ES256', up => 1, uv => 1, be => 0, bs => 0, counter => 0,
        counter_step => 1, attestation => 'none', transports => ['internal'],
        %o,
    }, $class;
    die "SoftAuthn: origin and rp_id are required\n"
        unless defined $self->{origin} && defined $self->{rp_id};
    die "SoftAuthn: unknown alg $self->{alg}\n"
        unless exists $ALG{ $self->{alg} };
    $self->{aaguid} = "\0" x 16 unless defined $self->{aaguid};
    $self->{aaguid} = aaguid_bytes($self->{aaguid})
        if length $self->{aaguid} != 16;
    $self->{cred_id} = random_bytes(32) unless defined $self->{cred_id};
    $self->_generate_key;
    return $self;
}

sub _generate_key {
    my ($self) = @_;
    my $alg = $self->{alg};
    if ($alg eq 'ES256') {
        $self->{key} = Crypt::PK::ECC->new;
        $self->{key}->generate_key('secp256r1');
    }
    elsif ($alg eq 'RS256') {
        $self->{key} = Crypt::PK::RSA->new;
        $self->{key}->generate_key($self->{rsa_bytes} || 256, 65537);
    }
    else {
        $self->{key} = Crypt::PK::Ed25519->new;
        $self->{key}->generate_key;
    }
}

sub alg_number { $ALG{ $_[0]->{alg} } }
sub credential_id { $_[0]->{cred_id} }
sub credential_id_b64 { b64u($_[0]->{cred_id}) }
sub counter { $_[0]->{counter} }

# set(flag => value, ...): change the authenticator (be, bs, uv, counter,
# origin, rp_id, ...).
sub set {
    my ($self, %o) = @_;
    @$self{ keys %o } = values %o;
    return $self;
}

# The credential public key as a COSE_Key (CBOR bytes).
sub cose_key {
    my ($self, %o) = @_;
    return $self->{cose} if defined $self->{cose};
    my $alg = exists $o{cose_alg} ? $o{cose_alg} : $self->alg_number;
    my $k = $self->{key};
    my $map;
    if ($self->{alg} eq 'ES256') {
        my $raw = $k->export_key_raw('public');    # 04 || x || y
        die "unexpected EC point\n" unless length $raw == 65;
        $map = [ _i(1) => _i(2), _i(3) => _i($alg), _i(-1) => _i(1),
                 _i(-2) => _b(substr $raw, 1, 32),
                 _i(-3) => _b(substr $raw, 33, 32) ];
    }
    elsif ($self->{alg} eq 'RS256') {
        my $h = $k->key2hash;
        $map = [ _i(1) => _i(3), _i(3) => _i($alg),
                 _i(-1) => _b(_hex_bytes($h->{N})),
                 _i(-2) => _b(_hex_bytes($h->{e})) ];
    }
    else {
        my $raw = $k->export_key_raw('public');
        $map = [ _i(1) => _i(1), _i(3) => _i($alg), _i(-1) => _i(6),
                 _i(-2) => _b($raw) ];
    }
    return cbor(CBOR::XS::as_map($map));
}

# Signature by the credential key, as WebAuthn wants it for its alg.
sub _sign_cred {
    my ($self, $msg) = @_;
    my $k = $self->{key};
    return $k->sign_message($msg, 'SHA256') if $self->{alg} eq 'ES256';
    return $k->sign_message($msg, 'SHA256', 'v1.5') if $self->{alg} eq 'RS256';
    return $k->sign_message($msg);
}

sub _flags {
    my ($self, $o, $extra) = @_;
    return $o->{flags} if defined $o->{flags};
    my %v = map { $_ => exists $o->{$_} ? $o->{$_} : $self->{$_} }
            qw(up uv be bs);
    my $f = $extra || 0;
    $f |= FLAG_UP if $v{up};
    $f |= FLAG_UV if $v{uv};
    $f |= FLAG_BE if $v{be};
    $f |= FLAG_BS if $v{bs};
    return $f;
}

# CollectedClientData, members in the order browsers write them.
sub client_data_json {
    my ($self, $type, $challenge, $o) = @_;
    my $js = JSON::PP->new->ascii->allow_nonref;
    my $origin = exists $o->{origin} ? $o->{origin} : $self->{origin};
    my $text = '{"type":' . $js->encode($type)
             . ',"challenge":' . $js->encode($challenge)
             . ',"origin":' . $js->encode($origin)
             . ',"crossOrigin":'
             . ($o->{cross_origin} ? 'true' : 'false');
    $text .= ',"topOrigin":' . $js->encode($o->{top_origin})
        if defined $o->{top_origin};
    return $text . '}';
}

sub _rp_id_hash {
    my ($self, $o) = @_;
    return sha256(exists $o->{rp_id} ? $o->{rp_id} : $self->{rp_id});
}

# register($creation_options, %overrides) -> RegistrationResponseJSON (hash)
sub register {
    my ($self, $options, %o) = @_;
    my $challenge = exists $o{challenge} ? $o{challenge}
                  : $options->{challenge};
    my $type = exists $o{type} ? $o{type} : 'webauthn.create';
    $self->{counter} = $o{counter} if exists $o{counter};
    my $cdj = exists $o{client_data_json} ? $o{client_data_json}
            : $self->client_data_json($type, $challenge, \%o);
    $self->{user_handle} = $options->{user}{id}
        if ref $options eq 'HASH' && ref $options->{user} eq 'HASH';

    my $cose = $self->cose_key(%o);
    my $auth_data = $self->_rp_id_hash(\%o)
        . pack('C', $self->_flags(\%o, FLAG_AT))
        . pack('N', $self->{counter})
        . $self->{aaguid}
        . pack('n', length $self->{cred_id}) . $self->{cred_id}
        . $cose;
    my $att = exists $o{attestation} ? $o{attestation}
            : $self->{attestation};
    my $to_sign = $auth_data . sha256($cdj);
    my ($fmt, $stmt);
    if ($att eq 'none') {
        ($fmt, $stmt) = ('none', []);
    }
    elsif ($att eq 'self') {
        $fmt = 'packed';
        $stmt = [ _t('alg') => _i($self->alg_number),
                  _t('sig') => _b($self->_sign_cred($to_sign)) ];
    }
    elsif ($att eq 'x5c') {
        die "SoftAuthn: attestation x5c needs x5c and att_key\n"
            unless $self->{x5c} && $self->{att_key};
        my $ak = Crypt::PK::ECC->new(\$self->{att_key});
        $fmt = 'packed';
        $stmt = [ _t('alg') => _i(-7),
                  _t('sig') => _b($ak->sign_message($to_sign, 'SHA256')),
                  _t('x5c') => [ map { _b($_) } @{ $self->{x5c} } ] ];
    }
    elsif ($att eq 'fido-u2f') {
        # WebAuthn L3 8.6: a U2F key signs 0x00 || rpIdHash ||
        # clientDataHash || credentialId || the raw P-256 point, with its
        # attestation key; x5c holds that one certificate
        die "SoftAuthn: attestation fido-u2f needs ES256, x5c and att_key\n"
            unless $self->{alg} eq 'ES256' && $self->{x5c} && $self->{att_key};
        my $ak = Crypt::PK::ECC->new(\$self->{att_key});
        my $msg = "\x00" . $self->_rp_id_hash(\%o) . sha256($cdj)
                . $self->{cred_id} . $self->{key}->export_key_raw('public');
        $msg = $o{u2f_signed} if exists $o{u2f_signed};
        $fmt = 'fido-u2f';
        $stmt = [ _t('sig') => _b($ak->sign_message($msg, 'SHA256')),
                  _t('x5c') => [ _b($self->{x5c}[0]) ] ];
    }
    else {
        die "SoftAuthn: unknown attestation $att\n";
    }
    $fmt = $o{fmt} if exists $o{fmt};
    my $att_obj = cbor(CBOR::XS::as_map([
        _t('fmt') => _t($fmt),
        _t('attStmt') => CBOR::XS::as_map($stmt),
        _t('authData') => _b($auth_data),
    ]));
    $self->{last_auth_data} = $auth_data;
    $self->{last_attestation_object} = $att_obj;
    return $self->_credential(\%o,
        clientDataJSON => b64u($cdj),
        attestationObject => b64u($att_obj),
        transports => [ @{ $self->{transports} } ]);
}

# assert($request_options, %overrides) -> AuthenticationResponseJSON (hash)
# The counter advances by counter_step (kept), unless counter is given
# (then it becomes that value).
sub assert {
    my ($self, $options, %o) = @_;
    my $challenge = exists $o{challenge} ? $o{challenge}
                  : $options->{challenge};
    my $type = exists $o{type} ? $o{type} : 'webauthn.get';
    if (exists $o{counter}) {
        $self->{counter} = $o{counter};
    }
    elsif ($self->{counter_step}) {
        $self->{counter} += $self->{counter_step};
    }
    my $cdj = exists $o{client_data_json} ? $o{client_data_json}
            : $self->client_data_json($type, $challenge, \%o);
    my $auth_data = $self->_rp_id_hash(\%o)
        . pack('C', $self->_flags(\%o, 0))
        . pack('N', $self->{counter});
    my $sig = $self->_sign_cred($auth_data . sha256($cdj));
    # a mangled authenticatorData (sent as is, the signature over the
    # real one)
    $auth_data = $o{authenticator_data}->($auth_data)
        if ref $o{authenticator_data} eq 'CODE';
    $sig = $o{signature} if exists $o{signature};
    my $uh = exists $o{user_handle} ? $o{user_handle} : $self->{user_handle};
    return $self->_credential(\%o,
        clientDataJSON => b64u($cdj),
        authenticatorData => b64u($auth_data),
        signature => b64u($sig),
        (defined $uh ? (userHandle => $uh) : ()));
}

# The PublicKeyCredential (JSON) around a response: the id is the
# credential's, or the override cred_id.
sub _credential {
    my ($self, $o, %response) = @_;
    my $id = b64u(exists $o->{cred_id} ? $o->{cred_id} : $self->{cred_id});
    return {
        id => $id,
        rawId => $id,
        type => 'public-key',
        response => \%response,
        authenticatorAttachment => 'cross-platform',
        clientExtensionResults => {},
    };
}

sub to_json {
    my ($data) = @_;
    return JSON::PP->new->canonical->encode($data);
}

# ---- the test PKI (openssl command line) ----------------------------------

# Runs openssl quietly; dies with its stderr when it fails.
sub _openssl {
    my (@args) = @_;
    my $err = "/tmp/softauthn-openssl.$$.err";
    my $pid = fork;
    die "fork: $!\n" unless defined $pid;
    if (!$pid) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', '/dev/null';
        open STDERR, '>', $err or POSIX::_exit(126);
        exec 'openssl', @args or POSIX::_exit(127);
    }
    waitpid $pid, 0;
    my $status = $?;
    my $text = -e $err ? _slurp($err) : '';
    unlink $err;
    die "openssl @args: exit " . ($status >> 8) . ": $text\n" if $status;
}

sub _slurp {
    my ($path) = @_;
    open my $fh, '<:raw', $path or die "$path: $!\n";
    local $/;
    my $t = <$fh>;
    close $fh;
    return $t;
}

sub _spew {
    my ($path, $text) = @_;
    open my $fh, '>:raw', $path or die "$path: $!\n";
    print $fh $text;
    close $fh or die "$path: $!\n";
    chmod 0600, $path;
    return $path;
}

# make_ca($dir, $name, %o): a self-signed P-256 root CA in $dir/$name.key
# and $dir/$name.pem (CA:TRUE, keyCertSign); $o{cn} its common name.
# Returns { key => path, cert => path, pem => text }.
sub make_ca {
    my ($dir, $name, %o) = @_;
    my $key = catfile($dir, "$name.key");
    my $cert = catfile($dir, "$name.pem");
    my $cn = $o{cn} || "mod_stepup test root $name";
    my $cnf = _spew(catfile($dir, "$name.cnf"), <<"EOC");
[req]
distinguished_name = dn
prompt = no
x509_extensions = v3_ca
[dn]
C = US
O = mod_stepup tests
CN = $cn
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOC
    _openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout',
             '-out', $key);
    _openssl('req', '-new', '-x509', '-config', $cnf, '-key', $key,
             '-days', $o{days} || 3650, '-sha256', '-out', $cert);
    return { key => $key, cert => $cert, pem => _slurp($cert) };
}

my $serial = 0;

# make_attestation_cert($dir, $ca, $aaguid_bytes, %o): a P-256 packed
# attestation certificate issued by $ca (from make_ca). Options:
# ou (default "Authenticator Attestation"), ca (1: CA:TRUE, a wrong leaf),
# no_aaguid (1: without the extension), name (file base name).
# Returns { der => DER bytes, key_pem => PEM text of the private key }.
sub make_attestation_cert {
    my ($dir, $ca, $aaguid, %o) = @_;
    my $name = $o{name} || sprintf('att%d-%d', $$, ++$serial);
    my $key = catfile($dir, "$name.key");
    my $csr = catfile($dir, "$name.csr");
    my $der = catfile($dir, "$name.der");
    my $ou = defined $o{ou} ? $o{ou} : 'Authenticator Attestation';
    my $ext = "basicConstraints = critical, CA:" . ($o{ca} ? 'TRUE' : 'FALSE')
            . "\nkeyUsage = critical, digitalSignature\n";
    $ext .= '1.3.6.1.4.1.45724.1.1.4 = DER:04:10:'
          . join(':', map { sprintf '%02X', $_ } unpack 'C*', $aaguid) . "\n"
        unless $o{no_aaguid};
    my $cnf = _spew(catfile($dir, "$name.cnf"), <<"EOC");
[req]
distinguished_name = dn
prompt = no
[dn]
C = US
O = mod_stepup tests
OU = $ou
CN = mod_stepup soft authenticator $name
[v3_att]
$ext
EOC
    _openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout',
             '-out', $key);
    _openssl('req', '-new', '-config', $cnf, '-key', $key, '-out', $csr);
    _openssl('x509', '-req', '-in', $csr, '-CA', $ca->{cert}, '-CAkey',
             $ca->{key}, '-set_serial', int(rand(2**31)) + 1, '-days', 30,
             '-sha256', '-extfile', $cnf, '-extensions', 'v3_att',
             '-outform', 'DER', '-out', $der);
    return { der => _slurp($der), key_pem => _slurp($key) };
}

1;
