-- Odd spacing and doubled quotes inside quoted names.
CREATE   TABLE   "weird ""name"""   (
   "a""b"   INT   NOT   NULL  ,  "C"  double   precision ,
   CONSTRAINT "odd ""key"""   UNIQUE ( "a""b" )
)  ;
COMMENT  ON  COLUMN  "weird ""name""" . "a""b"  IS  'pgaudit:hash' ;
