#include "fpt/dist/world.h"

#include <mpi.h>
#include <sched.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "fpt/core/error.h"

namespace fpt::dist {
namespace {

// The sweep protocol's messages travel on their own duplicate of MPI_COMM_WORLD, so that nothing
// else on MPI_COMM_WORLD (MPI_Comm_create_group of worker groups exchanges point-to-point
// messages there, with the group's tag) can be taken by the coordinator's any-tag probe.
MPI_Comm protocol = MPI_COMM_NULL;

void check(int code, const char* what) {
  if (code != MPI_SUCCESS) {
    char text[MPI_MAX_ERROR_STRING];
    int  length = 0;
    MPI_Error_string(code, text, &length);
    fail("MPI {} failed: {}", what, std::string(text, length));
  }
}

ReceivedText receive_probed(const MPI_Status& status) {
  int count = 0;
  MPI_Get_count(&status, MPI_CHAR, &count);
  std::string text(static_cast<size_t>(count), '\0');
  check(MPI_Recv(text.data(), count, MPI_CHAR, status.MPI_SOURCE, status.MPI_TAG, protocol,
                 MPI_STATUS_IGNORE),
        "receive");
  return {status.MPI_SOURCE, status.MPI_TAG, std::move(text)};
}

}  // namespace

World::World(int* argc, char*** argv) {
  int provided = 0;
  // MULTIPLE: rank 0's worker thread joins worker groups (allreduce) while its main thread
  // coordinates. Without it rank 0 only runs single-rank experiments.
  check(MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided), "init");
  // Worker groups need MULTIPLE on every rank (a slot thread in a group while another thread
  // relays messages): agree on it.
  int multiple = provided >= MPI_THREAD_MULTIPLE ? 1 : 0;
  MPI_Allreduce(MPI_IN_PLACE, &multiple, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  thread_multiple_ = multiple == 1;
  MPI_Comm_dup(MPI_COMM_WORLD, &protocol);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node);
  MPI_Comm_rank(node, &local_rank_);
  MPI_Comm_size(node, &local_size_);
  MPI_Comm_free(&node);
  char name[MPI_MAX_PROCESSOR_NAME];
  int  length = 0;
  MPI_Get_processor_name(name, &length);
  host_.assign(name, length);
}

World::~World() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  if (protocol != MPI_COMM_NULL) MPI_Comm_free(&protocol);
  MPI_Finalize();
}

int World::default_threads() const {
  return threads_for_ranks(local_size_);
}

void World::send_text(int destination, int tag, const std::string& text) const {
  check(MPI_Send(text.data(), static_cast<int>(text.size()), MPI_CHAR, destination, tag, protocol),
        "send");
}

ReceivedText World::receive_any() const {
  MPI_Status status;
  check(MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, protocol, &status), "probe");
  return receive_probed(status);
}

std::optional<ReceivedText> World::try_receive_any() const {
  MPI_Status status;
  int        flag = 0;
  check(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, protocol, &flag, &status), "iprobe");
  if (!flag) return std::nullopt;
  return receive_probed(status);
}

int World::broadcast_int(int value) const {
  check(MPI_Bcast(&value, 1, MPI_INT, 0, protocol), "broadcast");
  return value;
}

std::string World::mpi_library_version() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int  length = 0;
  MPI_Get_library_version(text, &length);
  std::string version(text, length);
  if (auto end = version.find_first_of(",\n"); end != std::string::npos) version.resize(end);
  return version;
}

int threads_for_ranks(int ranks_on_node) {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  int bound = 0;
  if (sched_getaffinity(0, sizeof(mask), &mask) == 0) bound = CPU_COUNT(&mask);
  const int online = static_cast<int>(std::thread::hardware_concurrency());
  if (bound <= 0) bound = online > 0 ? online : 1;
  // mpirun binds each rank to its own core(s) by default: then the mask is this rank's share.
  if (online > 0 && bound < online) return bound;
  return std::max(1, bound / std::max(1, ranks_on_node));
}

}  // namespace fpt::dist
