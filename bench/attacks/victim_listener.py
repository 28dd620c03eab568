"""A 'victim' TCP service: counts connections and distinct source ports per second.
usage: victim_listener.py PORT [hold]   (hold: keep sockets open instead of closing)"""
import socket, sys, threading, time
port = int(sys.argv[1]); hold = len(sys.argv) > 2
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port)); s.listen(4096)
count = [0]; held = []
def rep():
    last = 0
    while True:
        time.sleep(1)
        print(time.strftime("%H:%M:%S"), "total", count[0], "+", count[0] - last, flush=True)
        last = count[0]
threading.Thread(target=rep, daemon=True).start()
while True:
    c, a = s.accept()
    count[0] += 1
    if hold:
        held.append(c)
    else:
        c.close()
