// Work split into numbered chunks, run on a pool of threads. Callers keep each chunk's
// results apart and merge them in chunk order, so nothing depends on the thread count.
#pragma once

#include <cstdint>
#include <functional>

namespace ulpcheck {

/// Calls body(k) once for every k in [0, chunks), on min(chunks, threads) threads, the
/// calling thread one of them; threads <= 0 means one per core. Chunks are handed out in
/// increasing order. When a body throws, no later chunk is started, and once the started
/// ones are done the exception of the lowest-numbered chunk that threw is rethrown: the same
/// one whatever the thread count.
void parallel_for(std::int64_t chunks, const std::function<void(std::int64_t)>& body, std::int64_t threads = 0);

}  // namespace ulpcheck
