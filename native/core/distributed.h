// Collectives across the processes of an MPI job (tf.distributed), without linking MPI.
//
// The MPI backend (native/mpi/backend.c, built only where MPI is found) is a small shared library
// loaded here with dlopen. One communication thread owns every MPI call: jobs are queued, run in
// order, and complete with an error string or none; the tensors of a job are held by the job
// until it completes, so they outlive any JavaScript handle.
//
// Each collective is preceded by an arrival exchange (every rank sends a small header, the
// collective's sequence number, dtype and shape, to every other rank and waits with a deadline):
// a header that does not come names a rank that did not arrive, so a timeout aborts the job with
// an Error naming it; headers that disagree (shapes, dtypes, different collectives) fail the
// collective on every rank alike, before anything is summed. The collective proper is then a
// blocking MPI call, watched by a second thread that aborts the job if it outlives the timeout.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "tensor.h"

namespace tf {
namespace dist {

enum class Kind : int32_t { AllReduce = 1, Broadcast, AllGather, ReduceScatter, Barrier, Send, Recv };
// Order shared with the backend (op_of) for the first four; Mean is a sum scaled afterwards.
enum class ReduceOp : int32_t { Sum = 0, Max = 1, Min = 2, Prod = 3, Mean = 4 };

const char* kind_name(Kind k);

struct Job {
  Kind kind = Kind::Barrier;
  ReduceOp op = ReduceOp::Sum;
  int peer = 0;     // broadcast: source rank; send: destination; recv: source
  Tensor t;         // operated on in place (allReduce, broadcast, recv) or read (the others)
  Tensor out;       // allGather / reduceScatter result
  uint64_t version = 0;  // t's version at submission: a different one at completion = modified in flight
  bool notify = false;   // call the completion callback (asynchronous jobs)
  // Filled in by the communication thread.
  uint64_t id = 0;
  uint64_t seq = 0;
  std::string error;
  bool fatal = false;  // a timeout or MPI failure: the job is being aborted
};

struct Info {
  int rank = 0, size = 1, local_rank = 0;
};

// Loads the backend library; returns "" or why it could not be loaded.
std::string load_backend(const std::string& path);
bool backend_loaded();
// Starts the communication thread and initialises MPI on it (MPI_THREAD_MULTIPLE).
Info init(double timeout_s);
bool initialized();
Info info();
// Queues a job (checks its tensors first, throwing a tf::Error on bad input); returns its id.
uint64_t submit(std::shared_ptr<Job> job);
// Blocks until job `id` has completed and hands it over (the caller reads error / out).
std::shared_ptr<Job> wait(uint64_t id);
// Called on the communication thread when a job with notify set completes.
void set_completion_callback(std::function<void(uint64_t id)> fn);
// Finalises MPI after the queued jobs and stops the thread.
void destroy();
// MPI_Abort from any thread: ends every process of the job.
void abort_job(int code);

}  // namespace dist
}  // namespace tf
