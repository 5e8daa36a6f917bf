// MPI for Swift: MPI's handles are macros Swift cannot import, so they are exposed as inline accessors.
#include <mpi.h>

static inline MPI_Comm cmpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype cmpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype cmpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype cmpi_int(void) { return MPI_INT; }
static inline MPI_Status *cmpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline void *cmpi_in_place(void) { return MPI_IN_PLACE; }
static inline int cmpi_thread_serialized(void) { return MPI_THREAD_SERIALIZED; }
static inline MPI_Request cmpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Message cmpi_message_null(void) { return MPI_MESSAGE_NULL; }

// Not MPI, but what a polling rank needs beside it: Linux rounds short sleeps up by the
// thread's timer slack (50 µs by default); prctl is variadic, so Swift cannot call it directly.
#ifdef __linux__
#include <sys/prctl.h>
static inline int cmpi_set_timer_slack_ns(unsigned long ns) { return prctl(PR_SET_TIMERSLACK, ns, 0, 0, 0); }
#else
static inline int cmpi_set_timer_slack_ns(unsigned long ns) { (void)ns; return 0; }
#endif
