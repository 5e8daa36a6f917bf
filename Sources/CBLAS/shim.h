// OpenBLAS's CBLAS interface plus its thread-count controls (openblas_set_num_threads) and the
// name of the kernel set it chose for this CPU (openblas_get_corename: Zen, Haswell, SkylakeX, …).
#include <cblas.h>
char *openblas_get_corename(void);
