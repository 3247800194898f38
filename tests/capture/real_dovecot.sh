#!/bin/bash
# Helper for record_real.sh: write a self-contained Dovecot (POP3 only) setup.
# Usage: real_dovecot.sh SETUPDIR LISTEN_ADDRS INSTANCE
#   SETUPDIR      empty directory; gets dovecot.conf, users, ssl/, mail/, run/
#   LISTEN_ADDRS  e.g. "127.0.0.1, ::1"
#   INSTANCE      instance_name (keeps it apart from any system Dovecot)
# Needs: user popreal (mail owner), openssl, real_mkmail.py next to this file.
set -euo pipefail
dir=$1 listen=$2 inst=$3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"/ssl "$dir"/run "$dir"/mail
# Self-signed certificate for STLS (new key each run; TLS bytes differ anyway).
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=pop3mon-real.test" \
    -keyout "$dir/ssl/key.pem" -out "$dir/ssl/cert.pem" >/dev/null 2>&1
chmod 600 "$dir/ssl/key.pem"
# passwd-file: PLAIN scheme, so APOP (needs the clear-text secret) works too.
cat > "$dir/users" <<USERS
alice:{PLAIN}alice-secret::::::
bob:{PLAIN}bob-secret::::::
carol:{PLAIN}carol-secret::::::
dave:{PLAIN}dave-secret::::::
USERS
chmod 644 "$dir/users"
python3 "$here/real_mkmail.py" "$dir/mail"
chown -R popreal:popreal "$dir/mail"
cat > "$dir/dovecot.conf" <<CONF
# pop3mon tests/capture: POP3-only Dovecot for recording real traffic.
instance_name = $inst
base_dir = $dir/run
state_dir = $dir/run/state
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
protocols = pop3
listen = $listen
ssl = yes
ssl_cert = <$dir/ssl/cert.pem
ssl_key = <$dir/ssl/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login apop
auth_verbose = yes
default_internal_user = dovecot
default_login_user = dovenull
mail_location = maildir:~/Maildir
mail_uid = popreal
mail_gid = popreal
first_valid_uid = 1
pop3_uidl_format = %f
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/users
}
userdb {
  driver = static
  args = uid=popreal gid=popreal home=$dir/mail/%u
}
service pop3-login {
  inet_listener pop3 {
    port = 110
  }
  inet_listener pop3s {
    port = 0
  }
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0600
  }
  unix_listener stats-writer {
    mode = 0660
  }
}
CONF
mkdir -p "$dir/run/state"
