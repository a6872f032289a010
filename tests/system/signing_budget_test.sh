#!/usr/bin/env bash
# Online signing's budget (#25): a flood of missing names with DO over one
# TCP connection (which rate limiting does not see) and over UDP from many
# spoofed-looking prefixes may cost only the configured signatures a
# second; what is over is SERVFAIL and counted, and every other query,
# compiled answers with DO included, keeps its answer meanwhile.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/zones" "$WORK/keys"
(cd "$WORK/keys" && ldns-keygen -k -a ECDSAP256SHA256 example.com >/dev/null)
cp "$SRC/zones/example.com.yaml" "$WORK/zones/"
printf 'dnssec: { keys: [../keys/%s] }\n' "$(cd "$WORK/keys" && ls *.key | sed 's/\.key$//')" >>"$WORK/zones/example.com.yaml"
MPORT=$(free_port)
printf 'zones: [zones]\nthreads: 2\nlimits: { signatures_per_second: 300, signatures_per_tcp_client: 100 }\nmetrics: { listen: "127.0.0.1:%s" }\n' \
  "$MPORT" >"$WORK/srvd.yaml"
start_srvd "$WORK/srvd.yaml"
metric() { curl -s "http://127.0.0.1:$MPORT/metrics" | awk -v k="$1" '$1 == k {print $2}'; }

# 3 s of random missing names, pipelined on one TCP connection, while a
# second connection asks for a compiled answer (with DO) every 100 ms.
out=$(python3 - "$PORT" <<'PY'
import random, socket, struct, sys, threading, time
port = int(sys.argv[1])
def query(name, qtype, qid):
    q = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 1)
    for label in name.split("."):
        if label:
            q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack("!HH", qtype, 1)
    q += b"\0" + struct.pack("!HHIH", 41, 1232, 0x8000, 0)  # OPT, DO
    return struct.pack("!H", len(q)) + q
def read_answer(s):
    def exactly(n):
        data = b""
        while len(data) < n:
            chunk = s.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data
    size = struct.unpack("!H", exactly(2))[0]
    return exactly(size)
codes = {}
other = {"ok": 0, "bad": 0}
stop = time.monotonic() + 3
def reader(s):
    try:
        while True:
            rcode = read_answer(s)[3] & 0x0f
            codes[rcode] = codes.get(rcode, 0) + 1
    except Exception:
        pass
flood = socket.create_connection(("127.0.0.1", port))
threading.Thread(target=reader, args=(flood,), daemon=True).start()
def legit():
    while time.monotonic() < stop:
        s = socket.create_connection(("127.0.0.1", port))
        s.settimeout(2)
        s.sendall(query("_sip._udp.proxy-a.example.com", 33, 7))
        try:
            a = read_answer(s)
            other["ok" if a[3] & 0x0f == 0 and struct.unpack("!H", a[6:8])[0] > 0 else "bad"] += 1
        except Exception:
            other["bad"] += 1
        s.close()
        time.sleep(0.1)
t = threading.Thread(target=legit); t.start()
rnd = random.Random(5)
sent = 0
while time.monotonic() < stop:
    flood.sendall(b"".join(query("r%08x.example.com" % rnd.getrandbits(32), 1, i & 0xffff) for i in range(50)))
    sent += 50
    time.sleep(0.005)
t.join()
time.sleep(0.5)
print(sent, codes.get(0, 0), codes.get(2, 0), other["ok"], other["bad"])
PY
)
read -r sent signed refused ok bad <<<"$out"
[ "$sent" -gt 3000 ] || fail "the flood sent only $sent queries"
# 100 a second for this connection, over a little more than 3 s.
[ "$signed" -le 450 ] && [ "$signed" -ge 150 ] || fail "TCP flood: $signed signed of $sent ($refused SERVFAIL)"
[ "$refused" -gt 1000 ] || fail "TCP flood: only $refused SERVFAIL of $sent"
[ "$bad" = 0 ] && [ "$ok" -ge 20 ] || fail "compiled answers during the flood: $ok answered, $bad not"
counted=$(metric srvd_dnssec_signing_refused_total)
[ "$counted" -ge "$refused" ] || fail "srvd_dnssec_signing_refused_total $counted, $refused refused"
pass "one TCP connection's flood of $sent missing names: $signed signed (100/s), $refused SERVFAIL and counted; $ok compiled DO answers meanwhile"

# Over UDP from 200 addresses of 200 prefixes (rate limiting is off here):
# the shared quota, 300 a second.
before=$(metric srvd_dnssec_online_signatures_total)
awk 'BEGIN { srand(9); for (i = 0; i < 3000; i++) printf "u%08x.example.com A\n", int(rand() * 4294967295) }' >"$WORK/flood.txt"
flooders=()
for i in $(seq 1 20); do
  dnsperf -s 127.0.0.1 -p "$PORT" -D -d "$WORK/flood.txt" -n 1 -c 1 -Q 1000 -t 1 -l 2 >/dev/null 2>&1 &
  flooders+=($!)
done
wait "${flooders[@]}" || true
signed=$(($(metric srvd_dnssec_online_signatures_total) - before))
[ "$signed" -le 1200 ] || fail "UDP flood: $signed signatures in about 3 s at a quota of 300/s"
pass "a UDP flood of missing names: $signed signatures made (quota 300/s)"
