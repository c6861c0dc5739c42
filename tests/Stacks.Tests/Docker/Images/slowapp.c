/*
 * A tiny HTTP app for the draining test: one static binary, no shell.
 *   GET /slow?ms=N  answers 200 "done N" after N milliseconds
 *   anything else   answers 200 "ok" at once (the health path)
 * Each connection is served by a child process. On SIGTERM it does what a well-behaved app does: it stops
 * accepting (closes its listening socket), lets the requests in flight finish, and exits 0 when the last one has;
 * it logs "sigterm" and "exit" lines with milliseconds since start, so a test can order them against requests.
 * Port: $PORT (default 8080).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stopping = 0;
static struct timespec started;

static long ms_since_start(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - started.tv_sec) * 1000 + (now.tv_nsec - started.tv_nsec) / 1000000;
}

static void on_term(int sig) { (void)sig; stopping = 1; }

static void serve(int fd) {
    char buf[2048];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n <= 0) { close(fd); return; }
    buf[n] = 0;
    long ms = 0;
    char body[64];
    if (strncmp(buf, "GET /slow", 9) == 0) {
        char *q = strstr(buf, "ms=");
        if (q) ms = atol(q + 3);
        fprintf(stderr, "%ld slow request for %ld ms\n", ms_since_start(), ms);
        usleep((useconds_t)ms * 1000);
        snprintf(body, sizeof body, "done %ld\n", ms);
    } else {
        snprintf(body, sizeof body, "ok\n");
    }
    char head[160];
    int h = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", strlen(body));
    if (write(fd, head, (size_t)h) < 0 || write(fd, body, strlen(body)) < 0) { /* the client went away */ }
    close(fd);
}

int main(void) {
    clock_gettime(CLOCK_MONOTONIC, &started);
    setvbuf(stderr, NULL, _IONBF, 0);
    const char *p = getenv("PORT");
    int port = p ? atoi(p) : 8080;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 64) != 0) { perror("listen"); return 1; }
    struct sigaction sa = {0};
    sa.sa_handler = on_term; /* no SA_RESTART: accept returns EINTR */
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGCHLD, SIG_DFL);
    fprintf(stderr, "%ld listening on %d\n", ms_since_start(), port);
    while (!stopping) {
        int fd = accept(s, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR) continue;
            continue;
        }
        pid_t pid = fork();
        if (pid == 0) { close(s); signal(SIGTERM, SIG_IGN); serve(fd); _exit(0); }
        close(fd);
        while (waitpid(-1, NULL, WNOHANG) > 0) { }
    }
    fprintf(stderr, "%ld sigterm: not accepting, finishing requests in flight\n", ms_since_start());
    close(s);
    while (wait(NULL) > 0 || errno == EINTR) { }
    fprintf(stderr, "%ld exit\n", ms_since_start());
    return 0;
}
