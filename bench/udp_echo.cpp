// The kernel's limit: a UDP server that does no DNS work. It receives with
// recvmmsg, sets the QR bit so dnsperf counts a response, and sends the
// datagram back with sendmmsg. Same batching as srvd's workers.
//
//   udp_echo ADDRESS PORT [SIZE]
//
// SIZE pads every reply to that many bytes (zeros after the query): the
// kernel's limit for answers as large as a server's, to tell the cost of
// bigger datagrams from the cost of the server's own work.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
    if (argc != 3 && argc != 4) {
        std::fprintf(stderr, "usage: udp_echo ADDRESS PORT [SIZE]\n");
        return 2;
    }
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(std::atoi(argv[2])));
    ::inet_pton(AF_INET, argv[1], &a.sin_addr);
    int buffer = 4 << 20; // as srvd's workers, so neither drops for lack of buffer
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buffer, sizeof buffer);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        std::perror("bind");
        return 1;
    }
    constexpr std::size_t batch = 64, size = 4096;
    const std::size_t pad = argc == 4 ? std::min<std::size_t>(std::atoi(argv[3]), size) : 0;
    static std::array<std::array<char, size>, batch> buffers;
    std::array<mmsghdr, batch> msgs{};
    std::array<iovec, batch> iov{};
    std::array<sockaddr_storage, batch> peers{};
    for (;;) {
        for (std::size_t i = 0; i < batch; ++i) {
            iov[i] = {buffers[i].data(), size};
            msgs[i].msg_hdr = {};
            msgs[i].msg_hdr.msg_name = &peers[i];
            msgs[i].msg_hdr.msg_namelen = sizeof peers[i];
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        const int n = ::recvmmsg(fd, msgs.data(), batch, MSG_WAITFORONE, nullptr);
        if (n <= 0) continue;
        for (int i = 0; i < n; ++i) {
            iov[i].iov_len = msgs[i].msg_len;
            if (iov[i].iov_len < pad) {
                std::memset(buffers[i].data() + iov[i].iov_len, 0, pad - iov[i].iov_len);
                iov[i].iov_len = pad;
            }
            if (msgs[i].msg_len > 2) buffers[i][2] = static_cast<char>(buffers[i][2] | 0x80);
        }
        for (int sent = 0; sent < n;) {
            const int s = ::sendmmsg(fd, msgs.data() + sent, static_cast<unsigned>(n - sent), 0);
            if (s <= 0) break;
            sent += s;
        }
    }
}
