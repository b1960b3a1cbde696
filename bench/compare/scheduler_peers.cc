// The scheduler peers of bench/compare/run: the graphs of executor_bench's
// Chain and FanOutIn scenarios (no-op nodes, dependencies only), run by
//   tbb              oneTBB flow graph, continue_node (default policy: each
//                    ready node becomes a task, bypassed to the thread that
//                    readied it where oneTBB can)
//   tbb-lightweight  the same with the lightweight policy, which oneTBB
//                    recommends for tiny bodies (runs the body in the caller;
//                    it recurses, so a chain of 100,000 overflows the stack and
//                    is reported as null)
//   eigen            Eigen::ThreadPool; every node, the root included, is a
//                    pool task scheduled when its atomic pending count of
//                    predecessors reaches zero
//   eigen-inline     the same, but a node's first ready successor runs on the
//                    thread that readied it (what graphrt does for cheap nodes)
// Graphs: chain = N nodes in a line; fanout = source, N middle nodes, sink.
// Threads: the arena's concurrency (the caller included) for TBB, the pool's
// size for Eigen (the caller waits).
//
//   scheduler_peers --peer P --graph chain|fanout --n 1,1000 --threads 1,2
//
// One JSON line per (n, threads): median ns per run over --reps batches of
// runs, each batch lasting about --batch-ms, after a warm-up.
#define EIGEN_USE_THREADS
#include <tbb/flow_graph.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>
#include <unsupported/Eigen/CXX11/ThreadPool>
#include <vector>

namespace {

// The lightweight policy runs each successor's body in its predecessor's call:
// a chain recurses one frame per node (measured: 100,000 overflows 8 MB).
constexpr int kMaxLightweightChain = 10000;

struct Options {
  std::string peer, graph;
  std::vector<int> ns, threads;
  int reps = 5;
  double batch_ms = 40;
};

// Successor lists of the graph; node 0 is the only root, the last the only leaf.
std::vector<std::vector<int>> Successors(const std::string& graph, int n) {
  if (graph == "chain") {
    std::vector<std::vector<int>> succ(n);
    for (int i = 0; i + 1 < n; ++i) succ[i] = {i + 1};
    return succ;
  }
  std::vector<std::vector<int>> succ(n + 2);  // 0 = source, n + 1 = sink
  for (int i = 1; i <= n; ++i) {
    succ[0].push_back(i);
    succ[i] = {n + 1};
  }
  return succ;
}

double NowNs() {
  return std::chrono::duration<double, std::nano>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Median ns per call of run(), after a warm-up of at least 3 calls and 20 ms.
double MedianNsPerRun(const Options& o, const std::function<void()>& run) {
  double start = NowNs();
  int warm = 0;
  while (warm < 3 || NowNs() - start < 20e6) {
    run();
    ++warm;
  }
  const double per_run = (NowNs() - start) / warm;
  const long batch = std::max(1L, static_cast<long>(o.batch_ms * 1e6 / per_run));
  std::vector<double> samples;
  for (int r = 0; r < o.reps; ++r) {
    start = NowNs();
    for (long i = 0; i < batch; ++i) run();
    samples.push_back((NowNs() - start) / static_cast<double>(batch));
  }
  std::nth_element(samples.begin(), samples.begin() + samples.size() / 2, samples.end());
  return samples[samples.size() / 2];
}

template <bool kLightweight>
double TimeTbb(const Options& o, const std::vector<std::vector<int>>& succ, int threads) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  tbb::task_arena arena(threads);
  double ns = 0;
  // The graph is built inside the arena so that its tasks run there.
  arena.execute([&] {
    using Msg = tbb::flow::continue_msg;
    using Node = std::conditional_t<kLightweight, tbb::flow::continue_node<Msg, tbb::flow::lightweight>,
                                    tbb::flow::continue_node<Msg>>;
    tbb::flow::graph g;
    std::vector<std::unique_ptr<Node>> nodes;
    for (size_t i = 0; i < succ.size(); ++i) {
      nodes.push_back(std::make_unique<Node>(
          g, [](const tbb::flow::continue_msg&) { return tbb::flow::continue_msg(); }));
    }
    for (size_t i = 0; i < succ.size(); ++i) {
      for (int s : succ[i]) tbb::flow::make_edge(*nodes[i], *nodes[s]);
    }
    ns = MedianNsPerRun(o, [&] {
      nodes[0]->try_put(tbb::flow::continue_msg());
      g.wait_for_all();
    });
  });
  return ns;
}

// Note [Eigen peer's counts]: a node's pending count is reset to its number
// of predecessors by the thread that took it to zero; no other predecessor
// touches it again in that run, so the next run finds it ready to count.
class EigenGraph {
 public:
  EigenGraph(const std::vector<std::vector<int>>& succ, int threads, bool inline_last)
      : succ_(succ), indegree_(succ.size(), 0), pending_(succ.size()), pool_(threads),
        inline_last_(inline_last) {
    for (const auto& s : succ_) {
      for (int j : s) ++indegree_[j];
    }
    for (size_t i = 0; i < succ_.size(); ++i) pending_[i].store(indegree_[i]);
  }

  void Run() {
    Eigen::Barrier done(1);
    done_ = &done;
    pool_.Schedule([this] { Execute(0); });
    done.Wait();
  }

 private:
  void Execute(int node) {
    while (node >= 0) {
      // The node's (empty) body would run here.
      int next = -1;
      for (int s : succ_[node]) {
        if (pending_[s].fetch_sub(1, std::memory_order_acq_rel) != 1) continue;
        pending_[s].store(indegree_[s], std::memory_order_relaxed);  // Note [Eigen peer's counts]
        if (inline_last_ && next < 0) {
          next = s;
        } else {
          pool_.Schedule([this, s] { Execute(s); });
        }
      }
      if (succ_[node].empty()) done_->Notify();
      node = next;
    }
  }

  const std::vector<std::vector<int>>& succ_;
  std::vector<int> indegree_;
  std::vector<std::atomic<int>> pending_;
  Eigen::ThreadPool pool_;
  const bool inline_last_;
  Eigen::Barrier* done_ = nullptr;
};

std::vector<int> IntList(const std::string& s) {
  std::vector<int> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(std::stoi(item));
  return out;
}

bool Parse(int argc, char** argv, Options& o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--peer") o.peer = value;
    else if (key == "--graph") o.graph = value;
    else if (key == "--n") o.ns = IntList(value);
    else if (key == "--threads") o.threads = IntList(value);
    else if (key == "--reps") o.reps = std::stoi(value);
    else if (key == "--batch-ms") o.batch_ms = std::stod(value);
    else return false;
  }
  const bool peer_ok = o.peer == "tbb" || o.peer == "tbb-lightweight" || o.peer == "eigen" ||
                       o.peer == "eigen-inline";
  return argc % 2 == 1 && peer_ok && (o.graph == "chain" || o.graph == "fanout") &&
         !o.ns.empty() && !o.threads.empty() && o.reps > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!Parse(argc, argv, o)) {
    std::fprintf(stderr,
                 "usage: %s --peer tbb|tbb-lightweight|eigen|eigen-inline --graph chain|fanout "
                 "--n N[,N...] --threads T[,T...] [--reps 5] [--batch-ms 40]\n",
                 argv[0]);
    return 2;
  }
  for (int n : o.ns) {
    const auto succ = Successors(o.graph, n);
    for (int t : o.threads) {
      double ns = 0;
      if (o.peer == "tbb-lightweight" && o.graph == "chain" && n > kMaxLightweightChain) {
        std::printf("{\"side\": \"%s\", \"graph\": \"chain\", \"n\": %d, \"threads\": %d, "
                    "\"ns\": null, \"note\": \"recursion overflows the stack\"}\n",
                    o.peer.c_str(), n, t);
        continue;
      }
      if (o.peer == "tbb") {
        ns = TimeTbb<false>(o, succ, t);
      } else if (o.peer == "tbb-lightweight") {
        ns = TimeTbb<true>(o, succ, t);
      } else {
        EigenGraph g(succ, t, o.peer == "eigen-inline");
        ns = MedianNsPerRun(o, [&] { g.Run(); });
      }
      std::printf("{\"side\": \"%s\", \"graph\": \"%s\", \"n\": %d, \"threads\": %d, \"ns\": %.1f}\n",
                  o.peer.c_str(), o.graph.c_str(), n, t, ns);
      std::fflush(stdout);
    }
  }
  return 0;
}
