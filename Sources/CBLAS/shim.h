// OpenBLAS's CBLAS interface plus its thread-count controls (openblas_set_num_threads).
#include <cblas.h>
