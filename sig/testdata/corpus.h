/* The typedefs the prototypes in prototypes.txt use, as zconf.h, zlib.h,
   sqlite3.h and stdio.h declare them, cleaned of macros. */

/* zconf.h */
typedef unsigned char Byte;
typedef unsigned int uInt;
typedef unsigned long uLong;
typedef Byte Bytef;
typedef char charf;
typedef int intf;
typedef uInt uIntf;
typedef uLong uLongf;
typedef void const *voidpc;
typedef void *voidpf;
typedef void *voidp;
typedef unsigned z_crc_t;
typedef size_t z_size_t;
typedef long z_off_t;
typedef long z_off64_t;

/* zlib.h */
typedef voidpf (*alloc_func)(voidpf opaque, uInt items, uInt size);
typedef void (*free_func)(voidpf opaque, voidpf address);
struct internal_state;
typedef struct z_stream_s {
    const Bytef *next_in;
    uInt avail_in;
    uLong total_in;
    Bytef *next_out;
    uInt avail_out;
    uLong total_out;
    const char *msg;
    struct internal_state *state;
    alloc_func zalloc;
    free_func zfree;
    voidpf opaque;
    int data_type;
    uLong adler;
    uLong reserved;
} z_stream;
typedef z_stream *z_streamp;
typedef struct gz_header_s gz_header;
typedef gz_header *gz_headerp;
typedef unsigned (*in_func)(void *, const unsigned char * *);
typedef int (*out_func)(void *, unsigned char *, unsigned);
typedef struct gzFile_s *gzFile;

/* sqlite3.h */
typedef struct sqlite3 sqlite3;
typedef long long int sqlite_int64;
typedef unsigned long long int sqlite_uint64;
typedef sqlite_int64 sqlite3_int64;
typedef sqlite_uint64 sqlite3_uint64;
typedef struct sqlite3_stmt sqlite3_stmt;
typedef struct sqlite3_value sqlite3_value;
typedef struct sqlite3_context sqlite3_context;
typedef struct sqlite3_mutex sqlite3_mutex;
typedef struct sqlite3_blob sqlite3_blob;
typedef void (*sqlite3_destructor_type)(void*);
typedef int (*sqlite3_callback)(void*,int,char**, char**);

/* stdio.h */
typedef struct _IO_FILE FILE;
typedef long fpos_t_unused;
