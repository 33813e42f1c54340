# A private sshd for the remote tests: 127.0.0.1, a free port, a throwaway
# host key, client key, config and authorized_keys in a temporary directory,
# stopped by sshd_stop (the caller's EXIT trap). Source it, then call
# sshd_start DIR; it sets SSHD_PORT and exports AI_SSH (ssh -F a config of
# ours: that key, no known_hosts, BatchMode) and AI_REMOTE_BIN (the
# arena-inspect under test: the ssh side's PATH does not have it).
# Exits 77 (skip, with the reason) when OpenSSH is not installed.

SSHD_PID=

sshd_stop() {
	[ -n "$SSHD_PID" ] || return 0
	kill "$SSHD_PID" 2>/dev/null
	wait "$SSHD_PID" 2>/dev/null
	SSHD_PID=
}

sshd_start() { # sshd_start DIR
	local d=$1 n=100
	[ -x /usr/sbin/sshd ] || { echo "SKIP: /usr/sbin/sshd is not installed (./dev installs openssh-server)"; exit 77; }
	command -v ssh >/dev/null || { echo "SKIP: ssh is not installed"; exit 77; }
	mkdir -p "$d" /run/sshd
	chmod 700 "$d"
	ssh-keygen -q -t ed25519 -N '' -f "$d/host_key" || return 1
	ssh-keygen -q -t ed25519 -N '' -f "$d/user_key" || return 1
	cp "$d/user_key.pub" "$d/authorized_keys"
	SSHD_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat >"$d/sshd_config" <<CONF
Port $SSHD_PORT
ListenAddress 127.0.0.1
HostKey $d/host_key
AuthorizedKeysFile $d/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
UsePAM no
PidFile $d/sshd.pid
CONF
	cat >"$d/ssh_config" <<CONF
Host *
	IdentityFile $d/user_key
	IdentitiesOnly yes
	StrictHostKeyChecking no
	UserKnownHostsFile /dev/null
	BatchMode yes
	LogLevel ERROR
CONF
	/usr/sbin/sshd -D -e -f "$d/sshd_config" 2>"$d/sshd.log" &
	SSHD_PID=$!
	export AI_SSH="ssh -F $d/ssh_config"
	export AI_REMOTE_BIN="$INSPECT_BIN"
	until $AI_SSH -p "$SSHD_PORT" root@127.0.0.1 true 2>/dev/null; do
		n=$((n - 1))
		if [ $n -eq 0 ] || ! kill -0 "$SSHD_PID" 2>/dev/null; then
			echo "FAIL: sshd did not start: $(tail -3 "$d/sshd.log")"
			return 1
		fi
		sleep 0.1
	done
}
