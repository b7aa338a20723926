/* tensorfold's MPI backend: the only code that includes <mpi.h> or links libmpi.
 *
 * Built as a plain shared library (libtensorfold_mpi.so) only where the build finds MPI, and
 * loaded by the main addon with dlopen when a script asks for tf.distributed, so the addon itself
 * never depends on MPI. The surface is a small C ABI over raw buffers: the addon owns tensors,
 * threads and JavaScript; this file owns communicators and requests. Written in C so that no MPI
 * C++ bindings can leak in (OpenMPI's mpicxx symbols would otherwise be needed at load time).
 *
 * Every call here is made from the addon's one communication thread, except tfmpi_abort.
 * Return values: 0 done, 1 deadline passed (the caller reports who was missing), -1 MPI error
 * (message in the caller's buffer via tfmpi_last_error).
 */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TFMPI_ABI 1
#define TFMPI_EXPORT __attribute__((visibility("default")))

/* Tags on the library's private communicator; collectives use MPI's own internal tags. */
enum { TAG_HEADER = 101, TAG_P2P_HEADER = 102, TAG_P2P_DATA = 103 };

static MPI_Comm comm = MPI_COMM_NULL;
static int world_rank = 0, world_size = 1, local_rank = 0;
static char last_error[512];

static int check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return 0;
  char msg[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, msg, &len);
  snprintf(last_error, sizeof last_error, "%s: %.*s", what, len, msg);
  return -1;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* OpenMPI makes progress only inside MPI calls, so a wait is a loop of tests. It spins briefly
 * (latency of small collectives), then sleeps with a growing pause capped at 1 ms so that a rank
 * waiting for a slower peer leaves the cores to the peers' compute. */
static int wait_all(MPI_Request* reqs, int n, int* done, double deadline) {
  double start = now_s();
  long pause_ns = 2000;
  for (;;) {
    int all = 1;
    for (int i = 0; i < n; i++) {
      if (done[i]) continue;
      int flag = 0;
      if (check(MPI_Test(&reqs[i], &flag, MPI_STATUS_IGNORE), "MPI_Test")) return -1;
      if (flag) done[i] = 1;
      else all = 0;
    }
    if (all) return 0;
    double t = now_s();
    if (t > deadline) return 1;
    if (t - start > 50e-6) {
      struct timespec ts = {0, pause_ns};
      nanosleep(&ts, NULL);
      if (pause_ns < 1000000) pause_ns *= 2;
    }
  }
}

/* Cancels what did not complete, so a failed exchange leaves no request behind. */
static void cancel_pending(MPI_Request* reqs, int n, const int* done) {
  for (int i = 0; i < n; i++)
    if (!done[i] && reqs[i] != MPI_REQUEST_NULL) {
      MPI_Cancel(&reqs[i]);
      MPI_Request_free(&reqs[i]);
    }
}

static MPI_Datatype dtype_of(int d) {
  switch (d) {
    case 0: return MPI_FLOAT;
    case 1: return MPI_DOUBLE;
    case 2: return MPI_INT32_T;
    case 4: return MPI_INT64_T;
    case 5: return MPI_UINT8_T;
    /* float16 / bfloat16: moved as their bits (broadcast, gather, send); the engine never asks
       MPI to reduce them (their reductions run on float32 copies). */
    case 6: case 7: return MPI_UINT16_T;
    default: return MPI_DATATYPE_NULL;
  }
}

static MPI_Op op_of(int op) {
  switch (op) {
    case 0: return MPI_SUM;
    case 1: return MPI_MAX;
    case 2: return MPI_MIN;
    case 3: return MPI_PROD;
    default: return MPI_OP_NULL;
  }
}

TFMPI_EXPORT int tfmpi_abi_version(void) { return TFMPI_ABI; }
TFMPI_EXPORT const char* tfmpi_last_error(void) { return last_error; }

TFMPI_EXPORT int tfmpi_init(int* rank, int* size, int* local, int* thread_level) {
  int inited = 0;
  MPI_Initialized(&inited);
  /* OpenMPI busy-polls while it waits; each rank here also runs a compute (JavaScript) thread,
   * so there are more threads than cores and a spinning rank can hold the core its peer needs:
   * measured with 2 ranks on 2 loaded cores, a 16 KiB allreduce took 13 us to 45 ms spinning,
   * 20-42 us yielding. Yielding is the default; OMPI_MCA_mpi_yield_when_idle=0 restores spinning. */
  setenv("OMPI_MCA_mpi_yield_when_idle", "1", 0);
  if (!inited) {
    int provided = 0;
    if (check(MPI_Init_thread(NULL, NULL, MPI_THREAD_MULTIPLE, &provided), "MPI_Init_thread")) return -1;
    *thread_level = provided;
  } else {
    MPI_Query_thread(thread_level);
  }
  /* A private communicator: messages of the library never match a user's own MPI traffic. */
  if (check(MPI_Comm_dup(MPI_COMM_WORLD, &comm), "MPI_Comm_dup")) return -1;
  /* Errors come back as codes (reported as JavaScript errors) instead of aborting inside MPI. */
  MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
  MPI_Comm_rank(comm, &world_rank);
  MPI_Comm_size(comm, &world_size);
  MPI_Comm node;
  if (MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, world_rank, MPI_INFO_NULL, &node) == MPI_SUCCESS) {
    MPI_Comm_rank(node, &local_rank);
    MPI_Comm_free(&node);
  }
  *rank = world_rank;
  *size = world_size;
  *local = local_rank;
  return 0;
}

TFMPI_EXPORT int tfmpi_finalize(void) {
  if (comm != MPI_COMM_NULL) MPI_Comm_free(&comm);
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) return check(MPI_Finalize(), "MPI_Finalize");
  return 0;
}

/* Any thread: ends every process of the job (mpirun kills the others). */
TFMPI_EXPORT void tfmpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

/* The arrival exchange that precedes each collective: every rank sends its small header (the
 * collective, its sequence number, dtype, shape) to every other rank and waits for theirs until
 * the deadline. all_headers[r * len] receives rank r's header (its own included) and arrived[r]
 * says whether it came. A missing header names a rank that did not reach the collective. */
TFMPI_EXPORT int tfmpi_exchange(const void* header, int len, void* all_headers, int* arrived, double timeout_s) {
  double deadline = now_s() + timeout_s;
  int n = world_size;
  MPI_Request* reqs = (MPI_Request*)calloc((size_t)(2 * n), sizeof(MPI_Request));
  int* done = (int*)calloc((size_t)(2 * n), sizeof(int));
  if (!reqs || !done) {
    free(reqs);
    free(done);
    snprintf(last_error, sizeof last_error, "out of memory");
    return -1;
  }
  memcpy((char*)all_headers + (size_t)world_rank * (size_t)len, header, (size_t)len);
  int rc = 0;
  for (int r = 0; r < n && rc == 0; r++) {
    reqs[r] = reqs[n + r] = MPI_REQUEST_NULL;
    if (r == world_rank) {
      done[r] = done[n + r] = 1;
      continue;
    }
    rc = check(MPI_Irecv((char*)all_headers + (size_t)r * (size_t)len, len, MPI_BYTE, r, TAG_HEADER, comm, &reqs[r]), "MPI_Irecv");
    if (!rc) rc = check(MPI_Isend(header, len, MPI_BYTE, r, TAG_HEADER, comm, &reqs[n + r]), "MPI_Isend");
  }
  if (rc == 0) rc = wait_all(reqs, 2 * n, done, deadline);
  for (int r = 0; r < n; r++) arrived[r] = done[r];
  if (rc != 0) cancel_pending(reqs, 2 * n, done);
  free(reqs);
  free(done);
  return rc;
}

/* The collectives proper run only after every rank has arrived, so they are the blocking MPI
 * calls: OpenMPI's blocking algorithms are its tuned ones (the non-blocking libnbc ones are
 * slower), and a rank cannot stall half-way through without dying, which mpirun handles. */
/* Large allreduces run as a sequence of 4 MiB ones: OpenMPI's own large-message path falls off a
 * cliff here (2 ranks, shared memory: 64 MiB in 69-131 ms whole, 23 ms in 4 MiB pieces; 16 MiB
 * 5.8-11.8 ms against 4.4-5.5 ms), as each piece's buffers stay in cache. A constant, not a
 * setting: every rank must cut the same pieces. */
#define ALLREDUCE_PIECE_BYTES (4 << 20)

TFMPI_EXPORT int tfmpi_allreduce(void* buf, int64_t count, int dtype, int op) {
  size_t esize = dtype == 1 ? 8 : 4;
  int64_t step = ALLREDUCE_PIECE_BYTES / (int64_t)esize;
  for (int64_t off = 0; off < count; off += step) {
    int64_t n = count - off < step ? count - off : step;
    if (check(MPI_Allreduce(MPI_IN_PLACE, (char*)buf + (size_t)off * esize, (int)n, dtype_of(dtype), op_of(op), comm), "MPI_Allreduce"))
      return -1;
  }
  return 0;
}

TFMPI_EXPORT int tfmpi_broadcast(void* buf, int64_t count, int dtype, int root) {
  return check(MPI_Bcast(buf, (int)count, dtype_of(dtype), root, comm), "MPI_Bcast");
}

TFMPI_EXPORT int tfmpi_allgather(const void* in, void* out, int64_t count, int dtype) {
  return check(MPI_Allgather(in, (int)count, dtype_of(dtype), out, (int)count, dtype_of(dtype), comm), "MPI_Allgather");
}

TFMPI_EXPORT int tfmpi_reduce_scatter(const void* in, void* out, int64_t count_per_rank, int dtype, int op) {
  return check(MPI_Reduce_scatter_block(in, out, (int)count_per_rank, dtype_of(dtype), op_of(op), comm),
               "MPI_Reduce_scatter_block");
}

/* Point to point: a header, then the data, each waited on with the deadline (a large message
 * completes only once the receiver has posted its receive). */
TFMPI_EXPORT int tfmpi_send(const void* header, int header_len, const void* buf, int64_t bytes, int dst, double timeout_s) {
  double deadline = now_s() + timeout_s;
  MPI_Request reqs[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
  int done[2] = {0, 0};
  if (check(MPI_Isend(header, header_len, MPI_BYTE, dst, TAG_P2P_HEADER, comm, &reqs[0]), "MPI_Isend")) return -1;
  if (check(MPI_Isend(buf, (int)bytes, MPI_BYTE, dst, TAG_P2P_DATA, comm, &reqs[1]), "MPI_Isend")) {
    cancel_pending(reqs, 1, done);
    return -1;
  }
  int rc = wait_all(reqs, 2, done, deadline);
  if (rc != 0) cancel_pending(reqs, 2, done);
  return rc;
}

TFMPI_EXPORT int tfmpi_recv_header(void* header, int header_len, int src, double timeout_s) {
  double deadline = now_s() + timeout_s;
  MPI_Request req = MPI_REQUEST_NULL;
  int done = 0;
  if (check(MPI_Irecv(header, header_len, MPI_BYTE, src, TAG_P2P_HEADER, comm, &req), "MPI_Irecv")) return -1;
  int rc = wait_all(&req, 1, &done, deadline);
  if (rc != 0) cancel_pending(&req, 1, &done);
  return rc;
}

TFMPI_EXPORT int tfmpi_recv_data(void* buf, int64_t bytes, int src, double timeout_s) {
  double deadline = now_s() + timeout_s;
  MPI_Request req = MPI_REQUEST_NULL;
  int done = 0;
  if (check(MPI_Irecv(buf, (int)bytes, MPI_BYTE, src, TAG_P2P_DATA, comm, &req), "MPI_Irecv")) return -1;
  int rc = wait_all(&req, 1, &done, deadline);
  if (rc != 0) cancel_pending(&req, 1, &done);
  return rc;
}
