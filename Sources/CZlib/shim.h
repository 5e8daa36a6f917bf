// zlib, for reading gzip-compressed IDX files (Fashion-MNIST as Debian ships it).
#include <zlib.h>
