#!/usr/bin/env python3
# fsx-style random data-path test: fsx.py DIR SEED OPS; pwrite/pread/mmap/truncate/O_TRUNC
# reopen/rename/posix_fallocate against an in-memory model, checked after every step.
import os,sys,random,mmap
d=sys.argv[1]; seed=int(sys.argv[2]); N=int(sys.argv[3]); os.makedirs(d,exist_ok=True)
rng=random.Random(seed); MAX=4*1024*1024
names=[d+"/fsx_a", d+"/fsx_b"]; cur=0
p=names[cur]
model=bytearray()
fds=[os.open(p,os.O_CREAT|os.O_RDWR|os.O_TRUNC,0o644) for _ in range(2)]
log=[]
def fail(msg):
    print("FAIL seed",seed,"op#",len(log),msg); print("last ops:"); [print("  ",x) for x in log[-15:]]; sys.exit(1)
def check_read(off,ln,via):
    exp=bytes(model[off:off+ln])
    if via=="mmap" and len(model)>0:
        fd=fds[0]; sz=os.fstat(fd).st_size
        if sz!=len(model): fail(f"fstat size {sz} != {len(model)}")
        m=mmap.mmap(fd,sz,mmap.MAP_SHARED,mmap.PROT_READ); got=m[off:off+ln]; m.close()
    else:
        got=os.pread(fds[rng.randrange(2)],ln,off)
    if got!=exp:
        i=next((k for k in range(min(len(got),len(exp))) if got[k]!=exp[k]),min(len(got),len(exp)))
        fail(f"{via} read off={off} len={ln}: mismatch at +{i} got_len={len(got)} exp_len={len(exp)} got={got[i:i+8]!r} exp={exp[i:i+8]!r}")
for n in range(N):
    op=rng.choice(["w","w","w","r","r","mr","mw","t","ft","reopen","reopen_trunc","stat","fsync","rename","fallocate"])
    L=len(model)
    if op=="w":
        off=rng.randrange(0,max(1,L+65536)); off=min(off,MAX-1); ln=rng.randrange(1,70000); ln=min(ln,MAX-off)
        data=bytes([rng.randrange(1,256)])*ln if rng.random()<0.5 else os.urandom(ln)
        log.append(f"write off={off} len={ln}"); os.pwrite(fds[rng.randrange(2)],data,off)
        if off>L: model.extend(bytes(off-L))
        model[off:off+ln]=data
    elif op in("r","mr"):
        if L==0: continue
        off=rng.randrange(0,L); ln=rng.randrange(1,100000); log.append(f"{op} off={off} len={ln}"); check_read(off,ln,"mmap" if op=="mr" else "pread")
    elif op=="mw":
        if L==0: continue
        off=rng.randrange(0,L); ln=min(rng.randrange(1,20000),L-off); data=os.urandom(ln)
        log.append(f"mapwrite off={off} len={ln}")
        m=mmap.mmap(fds[0],L,mmap.MAP_SHARED,mmap.PROT_READ|mmap.PROT_WRITE); m[off:off+ln]=data; m.flush(); m.close()
        model[off:off+ln]=data
    elif op in("t","ft"):
        ns=rng.randrange(0,min(MAX,L*2+100000)); log.append(f"{op} {ns}")
        if op=="t": os.truncate(names[cur],ns)
        else: os.ftruncate(fds[rng.randrange(2)],ns)
        if ns<L: del model[ns:]
        else: model.extend(bytes(ns-L))
    elif op in("reopen","reopen_trunc"):
        k=rng.randrange(2); os.close(fds[k]); fl=os.O_RDWR
        if op=="reopen_trunc": fl|=os.O_TRUNC; model=bytearray()
        log.append(f"{op} fd{k}"); fds[k]=os.open(names[cur],fl)
    elif op=="stat":
        sz=os.stat(names[cur]).st_size; log.append("stat")
        if sz!=L: fail(f"stat size {sz} != {L}")
    elif op=="fsync":
        log.append("fsync"); os.fsync(fds[rng.randrange(2)])
    elif op=="rename":
        nxt=1-cur; log.append(f"rename -> {names[nxt]}"); os.rename(names[cur],names[nxt]); cur=nxt
    elif op=="fallocate":
        off=rng.randrange(0,L+10000); ln=rng.randrange(1,50000); log.append(f"posix_fallocate {off} {ln}")
        os.posix_fallocate(fds[0],off,ln)
        if off+ln>L: model.extend(bytes(off+ln-L))
for fd in fds: os.close(fd)
got=open(names[cur],"rb").read()
if got!=bytes(model): fail("final content mismatch")
print("OK seed",seed,"ops",N,"size",len(model))
