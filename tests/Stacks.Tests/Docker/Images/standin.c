/*
 * standin: one static binary for the Docker tests' local images (built with gcc -static, no shell,
 * no libraries needed in the image).
 *
 *   standin                      serve HTTP 200 on every port in $PORT and $STANDIN_PORTS (comma-separated)
 *   standin connect HOST PORT    exit 0 when a TCP connection opens within 2 s, 1 when not, 2 when HOST does not resolve
 *   standin get HOST PORT PATH   exit 0 when GET answers 200 within 2 s (a health client for images without one)
 *   <any name> healthcheck|ready exit 0 when GET 127.0.0.1:$STANDIN_CHECK_PORT/ answers 200 (Traefik's
 *                                `traefik healthcheck --ping`, MinIO's `mc ready local` under those names;
 *                                also when any argument is --healthcheck, a worker's own check)
 *   <any name> $STANDIN_SUCCEED_ARG …  exit 0 at once: a one-shot the stand-in cannot perform (the rehearsal
 *                                says so), e.g. Uptime Kuma's `node -e <setup script>`
 *
 * Any other arguments are ignored, so a stand-in keeps the real image's command line.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int open_connection(const char *host, const char *port, int timeout_ms)
{
    struct addrinfo hints, *res, *ai;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &res) != 0) return -2;
    int fd = -1;
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, 0);
        if (fd < 0) continue;
        fcntl(fd, F_SETFL, O_NONBLOCK);
        int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
        if (rc != 0 && errno == EINPROGRESS) {
            struct pollfd p = { fd, POLLOUT, 0 };
            int err = 0;
            socklen_t len = sizeof err;
            if (poll(&p, 1, timeout_ms) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) rc = 0;
        }
        if (rc == 0) { fcntl(fd, F_SETFL, 0); break; }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

static int http_get(const char *host, const char *port, const char *path)
{
    int fd = open_connection(host, port, 2000);
    if (fd == -2) return 2;
    if (fd < 0) return 1;
    struct timeval tv = { 2, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char req[512];
    snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", path, host);
    if (write(fd, req, strlen(req)) < 0) { close(fd); return 1; }
    char buf[64] = { 0 };
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    return n > 12 && strncmp(buf + 9, "200", 3) == 0 ? 0 : 1;
}

static void on_term(int sig) { (void)sig; kill(0, SIGTERM); _exit(0); }

static void serve(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 64) != 0) { perror("standin: listen"); _exit(1); }
    char host[128] = "standin";
    gethostname(host, sizeof host - 1);
    for (;;) {
        int c = accept(fd, NULL, NULL);
        if (c < 0) continue;
        struct timeval tv = { 2, 0 };
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char buf[2048];
        ssize_t n = read(c, buf, sizeof buf);
        (void)n;
        char body[192], resp[512];
        snprintf(body, sizeof body, "ok %s %d\n", host, port);
        snprintf(resp, sizeof resp, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s", strlen(body), body);
        if (write(c, resp, strlen(resp)) < 0) { /* the client went away */ }
        close(c);
    }
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "connect") == 0) {
        int fd = open_connection(argv[2], argv[3], 2000);
        if (fd >= 0) { close(fd); return 0; }
        return fd == -2 ? 2 : 1;
    }
    if (argc >= 5 && strcmp(argv[1], "get") == 0) return http_get(argv[2], argv[3], argv[4]);
    const char *succeed = getenv("STANDIN_SUCCEED_ARG");
    /* argv[1], or argv[2] when the command repeats the program's name (`node -e …` on a `node` entrypoint) */
    if (succeed && *succeed && ((argc >= 2 && strcmp(argv[1], succeed) == 0) || (argc >= 3 && strcmp(argv[2], succeed) == 0))) return 0;
    int check = argc >= 2 && (strcmp(argv[1], "healthcheck") == 0 || strcmp(argv[1], "ready") == 0);
    for (int i = 1; i < argc; i++) if (strcmp(argv[i], "--healthcheck") == 0) check = 1;
    if (check) {
        const char *p = getenv("STANDIN_CHECK_PORT");
        return http_get("127.0.0.1", p && *p ? p : "8080", "/");
    }

    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    signal(SIGCHLD, SIG_IGN);
    char ports[256] = "";
    const char *a = getenv("PORT"), *b = getenv("STANDIN_PORTS");
    snprintf(ports, sizeof ports, "%s,%s", a ? a : "", b ? b : "");
    int started = 0, seen[32];
    for (char *save = NULL, *t = strtok_r(ports, ",", &save); t && started < 32; t = strtok_r(NULL, ",", &save)) {
        int port = atoi(t), dup = 0;
        for (int i = 0; i < started; i++) dup |= seen[i] == port;
        if (port <= 0 || dup) continue;
        seen[started] = port;
        if (fork() == 0) { signal(SIGTERM, SIG_DFL); serve(port); }
        started++;
    }
    if (!started) { fprintf(stderr, "standin: no port (set PORT or STANDIN_PORTS)\n"); return 1; }
    for (;;) pause();
}
