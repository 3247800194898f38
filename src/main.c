#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <inttypes.h>
#include "capture.h"
#include "decode.h"
#include "flow.h"
static void on_open(void *c, struct flow *f){(void)c;(void)f;}
static void on_data(void *c, struct flow *f, int dir, const uint8_t *p, size_t n, const struct seg_meta *m){(void)c;(void)f;(void)m;
 if (getenv("DUMP")) { fprintf(stdout, "[%d]", dir); fwrite(p,1,n,stdout);} }
static void on_gap(void *c, struct flow *f, int dir, uint64_t n, const struct seg_meta *m){(void)c;(void)f;(void)m; printf("GAP dir %d %" PRIu64 "\n", dir, n);}
static void on_close(void *c, struct flow *f, enum flow_end why, const struct seg_meta *m){(void)c;(void)m;
 char a[64],b[64]; decode_addr_str(f->ipver,f->cli,a,64); decode_addr_str(f->ipver,f->srv,b,64);
 printf("flow %" PRIu64 " %s:%u -> %s:%u c2s=%" PRIu64 " s2c=%" PRIu64 " end=%s\n", f->id,a,f->cport,b,f->sport,f->dir[0].delivered,f->dir[1].delivered,flow_end_name(why));}
int main(int argc,char**argv){ (void)argc; char eb[512]; struct source_opts so={0}; struct source*s=source_open_file(argv[1],&so,eb); if(!s){fprintf(stderr,"%s\n",eb);return 2;}
 uint16_t ports[]={110}; struct flow_opts fo={.max_flows=1000,.idle_timeout_us=600000000ull,.reasm={256*1024,32<<20},.ports=ports,.nports=1};
 struct flow_cb cb={on_open,on_close,on_data,on_gap,NULL}; struct flow_table*t=flow_table_new(&fo,&cb); struct decode_stats ds={0};
 struct frame fr; enum source_status st; while((st=source_next(s,&fr,eb))==SOURCE_FRAME){ struct packet p; enum decode_reason r=decode_frame(fr.linktype,fr.data,fr.caplen,fr.wirelen,&p,&ds);
 if(r==DEC_OK||r==DEC_PAYLOAD_TRUNC){struct seg_meta m={fr.number,fr.ts_us}; flow_table_packet(t,&p,&m);} }
 if(st==SOURCE_ERROR){fprintf(stderr,"%s\n",eb);}
 flow_table_free(t); for(int i=0;i<DEC__COUNT;i++) if(ds.count[i]) printf("%s=%" PRIu64 "\n",decode_reason_name(i),ds.count[i]); source_free(s); return 0;}
