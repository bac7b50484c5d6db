// One core kept busy the way an argon2id computation keeps it: walking a 19 MiB buffer (the
// memory cost the password hash uses), forever. The benchmark runs one per core at nice 10,
// where Frontdoor's hashing threads run, to measure what the machine itself does to the tail
// latency of a bare server while every core is taken.
const memory = Buffer.alloc(19 * 1024 * 1024);
for (;;) {
  for (let i = 0; i < memory.length; i += 64) memory[i] = (memory[i]! + 1) & 0xff;
}
