# ruff: noqa: E501  (data tables: one definition a line)
"""The X12 004010 data dictionary crossdock's maps are built from: data elements, composites and segments.

GENERATED TABLES (the reason this module is long): the element, composite and segment definitions of
the X12 004010 standard for every segment used by crossdock's 810, 846, 850, 855, 856, 860, 940, 945, 947 and 997 maps. They were
extracted once from the MIT-licensed olmelabs/EdiEngine ``EdiStandards/X12_004010`` definitions (types,
lengths, requirement designators, syntax notes), with names from pyx12's ``dataele.xml`` and kputnam/stupidedi;
edit them by hand from here on. 005010 differences live in :mod:`crossdock.edi.maps.versions`.
EdiEngine numbers syntax-note positions after a composite as if each component were an element; those
notes were renumbered to element positions (CTP, MEA, QTY, SLN, PAM) and notes about the inside of the
C040 composite dropped (REF, N9).

Formats, one definition a line:

- ``ELEMENTS``: ``id type min max name`` (types AN ID DT TM R N0..N9 as in the standard).
- ``COMPOSITES``: ``id element element ...`` where a trailing ``!`` marks a mandatory component.
- ``SEGMENTS``: ``id name: element element ... | syntax notes`` where elements are data element ids or
  composite ids (``C001``), ``!`` marks mandatory, and syntax notes are the standard's P/R/C/L/E notes
  (``C0302``: if PO103 is present PO102 is required).
"""

from __future__ import annotations

ELEMENTS = """
    2 N0  1   6 Number of Accepted Transaction Sets
    3 AN  1  60 Free Form Message
   11 ID  1   1
   19 AN  2  30 City Name
   22 AN  1  30 Commodity Code
   23 ID  1   1 Commodity Code Qualifier
   24 AN  4   4 Equipment Type
   26 AN  2   3 Country Code
   28 N0  1   9 Group Control Number
   31 AN  1  22 Adjustment Number
   40 ID  2   2 Equipment Description Code
   54 ID  2   2
   55 AN  2  10
   56 ID  2   2 Type of Service Code
   59 AN  2   5 Freight Class Code
   61 AN  1  30 Free-form Information
   65 R   1   8 Height
   66 ID  1   2 Identification Code Qualifier
   67 AN  2  80 Identification Code
   76 AN  1  22 Invoice Number
   79 AN  1  50 Lading Description
   80 N0  1   7 Lading Quantity
   81 R   1  10 Weight
   82 R   1   8 Length
   87 AN  1  48 Marks and Numbers
   88 ID  1   2 Marks and Numbers Qualifier
   91 ID  1   2 Transportation Method/Type Code
   92 ID  2   2 Purchase Order Type Code
   93 AN  1  60 Name
   97 N0  1   6 97
   98 AN  2   3 Entity Identifier Code
  100 AN  3   3 Currency Code
  102 ID  1   1 Ownership Code
  103 AN  3   5 Packaging Code
  107 ID  1   2 Payment Method Type Code
  113 AN  1   4
  114 AN  2  24
  115 ID  1   1
  116 AN  3  15 Postal Code
  118 R   1   9 Rate
  121 ID  1   3 Rate Class Code
  123 N0  1   6 Number of Received Transaction Sets
  127 AN  1  30 Reference Identification
  128 AN  2   3 Reference Identification Qualifier
  129 AN  1  13
  133 ID  1   2 Routing Sequence Code
  140 AN  2   4 Standard Carrier Alpha Code
  143 ID  3   3 Transaction Set Identifier Code
  145 AN  1  30 Shipment Identification Number
  146 ID  2   2 Shipment Method of Payment
  152 ID  2   3 Special Handling Code
  154 AN  6   9 Standard Point Location Code
  156 AN  2   2 State or Province Code
  166 AN  1  55 Address Information
  174 AN  2  30
  176 ID  1   2 Time Qualifier
  177 AN  1   2
  181 ID  2   2 Quantity or Status Adjustment Reason Code
  182 AN  2  28
  183 R   1   8 Volume
  187 ID  1   2 Weight Qualifier
  188 ID  1   1 Weight Unit Code
  189 R   1   8 Width
  200 AN  1   6 Hazardous Materials Page
  206 AN  1   4 Equipment Initial
  207 AN  1  10 Equipment Number
  208 ID  1   1 Hazardous Material Code Qualifier
  209 AN  1   4 Hazardous Material Class Code Description
  212 R   1  17 Unit Price
  215 AN  1  30 Hazardous Classification
  218 AN 14  40 Hazardous Placard Notation Code
  219 AN  1   3 Position
  222 AN  4  25 Hazardous Endorsement Code
  223 N0  5   5
  224 AN  1  25 Hazardous Material Shipping Name
  225 AN  2  15 Seal Number
  230 AN  1   3
  234 AN  1  48 Product/Service ID
  235 ID  2   2 Product/Service ID Qualifier
  236 ID  3   3 Price Identifier Code
  238 AN  1  12
  248 ID  1   1 Allowance or Charge Indicator
  249 ID  1   1
  254 AN  1   3 Packing Group Code
  267 N0  1   6 Net Explosive Quantity
  271 ID  1   2
  272 ID  1   1
  273 AN  1  25
  277 AN  6   6 UN/NA Identification Code
  280 R   4  10 Exchange Rate
  284 ID  2   2 Service Level Code
  285 AN  1  22 Depositor Order Number
  286 ID  2   2 Product/Service Condition Code
  289 N0  1   2 Multiple Price Quantity
  296 AN  2   4
  306 ID  1   2 Action Code
  309 ID  1   2 Location Qualifier
  310 AN  1  30 Location Identifier
  324 AN  1  22 Purchase Order Number
  325 AN  1  20
  326 AN  1  45 Request Reference Number
  327 AN  1   8 Change Order Sequence Number
  328 AN  1  30 Release Number
  329 AN  4   9 Transaction Set Control Number
  330 R   1  15 Quantity Ordered
  331 ID  2   2 Allowance or Charge Method of Handling Code
  332 R   1   6 Percent, Decimal Format
  333 ID  1   2 Terms Basis Date Code
  334 ID  2   2
  335 ID  3   3 Transportation Terms Code
  336 ID  2   2 Terms Type Code
  337 TM  4   8 Time
  338 R   1   6 Terms Discount Percent
  339 R   1  10
  340 ID  1   3
  341 AN  1  16
  342 R   1   5 Percent of Invoice Payable
  344 ID  2   2
  345 ID  2   2
  347 R   1  10 Hash Total
  349 ID  1   1 Item Description Type
  350 AN  1  20 Assigned Identification
  351 N0  1   3 Terms Discount Days Due
  352 AN  1  80 Description
  353 ID  2   2 Transaction Set Purpose Code
  354 N0  1   6 Number of Line Items
  355 ID  2   2 Unit or Basis for Measurement Code
  358 R   1  10 Quantity Invoiced
  356 N0  1   6 Case/Inner Pack
  357 R   1   8 Outer Pack
  359 R   1  15
  360 N2  1  15
  362 N2  1  10 Terms Discount Amount
  363 ID  3   3 Note Reference Code
  364 AN  1  80 Communication Number
  365 ID  2   2 Communication Number Qualifier
  366 ID  2   2 Contact Function Code
  367 AN  1  30 Contract Number
  368 ID  2   2 Shipment/Order Status Code
  369 AN  1  45 Free-form Description
  370 DT  8   8 Terms Discount Due Date
  371 ID  2   2
  373 DT  8   8 Date
  374 ID  3   3 Date/Time Qualifier
  378 ID  1   1 Allowance/Charge Percent Qualifier
  380 R   1  15 Quantity
  382 R   1  10 Number of Units Shipped
  383 R   1   9 Quantity Difference
  384 R   1   9 Gross Weight per Pack
  385 R   1   9 Gross Volume per Pack
  386 N0  1   3 Terms Net Days
  387 AN  1  35 Routing
  388 DT  8   8 Terms Deferred Due Date
  389 N2  1  10 Deferred Amount Due
  395 R   1   8 Unit Weight
  396 AN  2  30 Shipment Identification
  397 AN  1  10 Color
  398 R   1  10 Order Sizing Factor
  399 ID  1   1 Pallet Exchange Code
  400 ID  2   2 Unit Load Option Code
  406 N0  1   3 Quantity of Pallets Shipped
  407 ID  2   2 Seal Status Code
  408 R   1   4 Temperature
  416 N0  6   6 Pallet Block and Tiers
  432 ID  2   2 Date Qualifier
  433 ID  2   2 F.O.B. Point Code
  434 AN  1  30 F.O.B. Point
  438 AN 12  12 U.P.C. Case Code
  441 ID  1   1
  443 AN  1  20 Contact Inquiry Reference
  446 DT  8   8 Terms Net Due Date
  447 AN  1   6 Loop Identifier Code
  451 AN  1  12 Warehouse Lot Number
  460 ID  1   1 Shipment Weight Code
  466 N0  1   2
  472 N0  6   6 Link Sequence Number
  473 ID  1   1 Order Status Code
  474 AN  1  22 Master Reference Number
  477 R   1  10 Credit/Debit Quantity
  478 ID  1   1 Credit/Debit Flag Code
  479 ID  2   2 Functional Identifier Code
  488 N0  1   3
  499 AN  1  10 Condition Value
  508 AN  1  35 Account Number
  514 ID  1   1 Reporting Code
  522 ID  1   3 Amount Qualifier Code
  529 ID  1   2 Inventory Transaction Type Code
  531 AN  1  12 Agent Shipment ID Number
  554 N0  1   6 Assigned Number
  559 ID  2   2 Agency Qualifier Code
  560 ID  2  10 Special Services Code
  563 ID  1   2 Sales Requirement Code
  566 ID  1   2
  587 ID  2   2 Acknowledgment Type Code
  595 ID  1   1 Compartment ID Code
  597 AN  1   8
  598 AN  1  12
  604 ID  1   1
  610 N2  1  15 Amount
  622 N0  1   5
  623 ID  2   2 Time Code
  625 ID  1   1 COD Method of Payment Code
  626 ID  1   2
  627 ID  1   1
  628 AN  1  12 Hierarchical ID Number
  639 ID  2   2 Basis of Unit Price Code
  640 ID  2   2 Transaction Type Code
  641 ID  3   3
  646 R   1  15 Quantity Shipped to Date
  648 ID  3   3 Price Multiplier Qualifier
  649 R   1  10 Multiplier
  653 ID  3   3
  654 ID  2   2
  655 R   1  10
  656 ID  2   3
  657 N0  1  10
  662 ID  1   1 Relationship Code
  665 ID  1   1 Residue Indicator Code
  668 ID  2   2 Line Item Status Code
  669 ID  3   3 Currency Market/Exchange Code
  670 ID  2   2 Change or Response Type Code
  671 R   1   9 Quantity Left to Receive
  673 ID  2   2 Quantity Qualifier
  687 ID  2   2 Class of Trade Code
  688 ID  2   2
  704 ID  1   2 Paperwork/Report Action Code
  706 ID  2   2 Entity Relationship Code
  715 ID  1   1 Functional Group Acknowledgment Code
  716 ID  1   3 Functional Group Syntax Error Code
  717 ID  1   1 Transaction Set Acknowledgment Code
  718 ID  1   3 Transaction Set Syntax Error Code
  719 N0  1   6 Segment Position in Transaction Set
  720 ID  1   3 Segment Syntax Error Code
  721 AN  2   3 Segment ID Code
  722 N0  1   2 Element Position in Segment
  723 ID  1   3 Data Element Syntax Error Code
  724 AN  1  99 Copy of Bad Data Element
  725 N0  1   4 Data Element Reference Number
  728 ID  1   2 Returnable Container Load Make-Up Code
  729 AN  1   6 Category - Ship Notice Date
  731 ID  2   2 Transit Direction Code
  732 ID  2   2 Transit Time Direction Qualifier
  733 R   1   4 Transit Time
  734 AN  1  12 Hierarchical Parent ID Number
  735 ID  1   2 Hierarchical Level Code
  736 ID  1   1 Hierarchical Child Code
  737 ID  2   2 Measurement Reference ID Code
  738 ID  1   3 Measurement Qualifier
  739 R   1  18 Measurement Value
  740 R   1  18 Range Minimum
  741 R   1  18 Range Maximum
  742 AN  1  35
  743 ID  1   2
  750 ID  2   3 Product/Process Characteristic Code
  751 AN  1  12 Product Description Code
  752 ID  2   2 Surface/Layer/Position Code
  753 ID  1   5 Measurement Method or Device
  754 AN  1   7 Packaging Description Code
  755 ID  2   2 Report Type Code
  756 ID  1   2 Report Transmission Code
  757 N0  1   2 Report Copies Needed
  759 ID  2   2 Reportable Quantity Code
  765 N0  1   2
  769 AN  1  16
  770 AN  1  20 Option Number
  782 R   1  18 Monetary Amount
  786 ID  2   2 Security Level Code
  790 AN  1 132 Entity Title
  791 AN  1  80 Entity Purpose
  792 ID  1   1 Entity Status Code
  799 AN  1  30 Version Identifier
  805 AN  1  25
  806 AN  4   6
  807 AN 12  16
  808 ID  3   3 Hazardous Material Shipping Information Qualifier
  809 AN  1  25 Hazardous Material Shipment Information
  810 N0  1   6 Inner Pack
  819 AN  2   3 Language Code
  822 AN  1  15 Source Subqualifier
  828 R   1   9
  854 ID  2   2
  883 ID  1   2
  884 N0  1   3
  885 N0  1   3
  890 ID  2   2 Carrier/Route Change Reason Code
  891 ID  2   2 Shipping Date Change Reason Code
  892 ID  2   2 Line Item Change Reason Code
  893 ID  1   1 Warehouse Detail Adjustment Identifier Code
  897 ID  1   1
  933 AN  1 264 Free-form Message Text
  934 ID  2   2 Printer Carriage Control Code
  935 ID  2   2 Measurement Significance Code
  936 ID  2   2 Measurement Attribute Code
  954 R   1  10 Percentage as Decimal
  955 ID  2   2
  956 AN  1  10
  963 ID  2   2
  983 ID  1   1 Hazardous Class Qualifier
  984 ID  1   1 Hazardous Material Shipping Name Qualifier
  985 ID  3   3 N.O.S. Indicator Code
  986 ID  1   1
 1000 AN  2   2 Service Characteristics Qualifier
 1004 ID  1   2 Percent Qualifier
 1005 ID  4   4 Hierarchical Structure Code
 1018 R   1  15 Exponent
 1019 ID  3   3 Invoice Type Code
 1023 ID  1   1 Hazard Zone Code
 1073 ID  1   1 Yes/No Condition or Response Code
 1096 AN  5   5
 1106 ID  2   2
 1122 ID  1   1
 1166 ID  2   2 Contract Type Code
 1179 ID  1   1
 1195 AN  1  80
 1196 ID  2   2
 1232 ID  2   2 Purchase Category Code
 1250 ID  2   3 Date Time Period Format Qualifier
 1251 AN  1  35 Date Time Period
 1270 ID  1   3 Code List Qualifier Code
 1271 AN  1  30 Industry Code
 1300 AN  4   4 Service, Promotion, Allowance, or Charge Code
 1301 AN  1  10 Agency Service, Promotion, Allowance, or Charge Code
 1309 ID  2   2
 1310 ID  1   1
 1321 ID  2   2 Condition Indicator
 1322 ID  1   1 Certification Type Code
 1373 ID  2   4 Measurement Method or Device
 1375 AN  1   5 Interim Hazardous Material Regulatory Number
 1401 ID  1   3 Proposal Data Detail Identifier Code
 1470 N0  1   9 Number
 1525 ID  1   2 Request Category Code
 1528 N0  1   2 Composite Data Element Position in Composite
 1551 AN  1 760
"""

COMPOSITES = """
C001 355! 1018 649 355 1018 649 355 1018 649 355 1018 649 355 1018 649
C002 704! 704 704 704 704
C030 722! 1528
C040 128! 127! 128 127 128 127
"""

SEGMENTS = """
ADV Advertising Demographic Information: 559! 1000! 740 741 729 1000 739 | P0607
ACK Line Item Acknowledgment: 668! 380 355 374 373 326 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 559 822 1271 | P0203 C0405 P0708 P0910 P1112 P1314 P1516 P1718 P1920 P2122 P2324 P2526 C282729
AK1 Functional Group Response Header: 479! 28!
AK2 Transaction Set Response Header: 143! 329!
AK3 Data Segement Note: 721! 719! 447 720
AK4 Data Segement Note: C030! 725 723! 724
AK5 Transaction Set Response Trailer: 717! 718 718 718 718 718
AK9 Functional Group Response Trailer: 715! 97! 123! 2! 716 716 716 716 716
AMT Monetary Amount: 522! 782! 478
BAK Beginning Segment for Purchase Order Acknowledgment: 353! 587! 324! 373! 328 326 367 127 373 640
BCH Beginning Segment for Purchase Order Change: 353! 92! 324! 328 327 373! 326 367 127 373 373 1166 786 587 640 1232
BEG Beginning Segment for Purchase Order: 353! 92! 324! 328 373! 367 587 1019 1166 1232 786 640
BIA Beginning Segment for Inventory Inquiry/Advice: 353! 755! 127! 373! 337 306
BNX Rail Shipment Information: 460 129 11 223
BSN Beginning Segment for Ship Notice: 353! 396! 373! 337! 1005 640 641 | C0706
CB1 Contract and Cost Accounting Standards Data: 1309! 1310
CLD Load Detail: 622! 382! 103 357 355 | C0504
CN1 Contract Information: 1166! 782 332 127 338 799
CSH Sales Requirements: 563 306 610 508 373 559 560 566 954 1004 | C0203 P0607 P0910
CTB Restrictions/Conditions: 688! 352 673 380 522 610 | R020406 P0304 P0506
CTP Pricing Information: 687 236 212 380 C001 648 649 782 639 499 289 | P0405 C0607 C0902 C1002 C1103
CTT Transaction Totals: 354! 347 81 355 183 355 352 | P0304 P0506
CUR Currency: 98! 100! 280 98 100 669 374 373 337 374 373 337 374 373 337 374 373 337 374 373 337 | C0807 C0907 L101112 C1110 C1210 L131415 C1413 C1513 L161718 C1716 C1816 L192021 C2019 C2119
DIS Discount Detail: 653! 654! 655! 656! 657! 657
DTM Date/Time Reference: 374! 373 337 623 1250 1251 | R020305 C0403 P0506
DTP Date or Time Period: 374! 1250! 1251!
ETD Excess Transportation Detail: 626! 627! 128 127 743 | P0304
FA1 Type of Financial Accounting Data: 559! 1300 248
FA2 Accounting Data: 1196! 1195!
FOB F.O.B. Related Instructions: 146! 309 352 334 335 309 352 54 352 | C0302 C0405 C0706 C0809
G61 Contact: 366! 93! 365 364 443 | P0304
G62 Date/Time: 432 373 176 337 623 | R0103 P0102 P0304
G66 Transportation Instructions: 146 91 399 400 387 433 434
G69 Line Item Detail - Description: 369!
G72 Allowance or Charge: 340! 331! 341 769 359 339 355 360 332 828 770 | R03050809 E050809 P0607 P0910 C1103
GF  Furnished Goods and Services: 128 127 367 782 128 127 328 128 127 | P0102 P0506 P0809
HL  Hierarchical Level: 628! 734 735! 736
INC Installment Information: 336! C001! 380! 380! 782
IT3 Additional Item Data: 382 355 368 383 371 | P0102 R01030405
IT8 Conditions of Sale: 563 306 610 508 373 559 566 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 | R0102030507 P0809 P1011 P1213 P1415 P1617 P1819 P2021 P2223 P2425 P2627
ITD Terms of Sale/Deferred Terms of Sale: 336 333 338 370 351 446 386 362 388 389 342 352 765 107 954 | L03040513 L08040513 L091011
LDT Lead Time: 345! 380! 344! 373
LE  Loop Trailer: 447!
LEP EPA Required Data: 806 807 156 127 | P0304
LFH Hazardous Material Shipping Name: 808! 809! 809 1023 355 380 380 | P0506
LH1 Hazardous Identification Information: 355! 80! 277 200 22 355 380 595 665 254 1375
LH2 Hazardous Classification Information: 215 983 218 222 759 355 408 355 408 355 408 | P0607 P0809 P1011
LH3 Hazardous Material Shipping Name: 224 984 985 1073 | P0102
LH4 Canadian Dangerous Requirements: 238 364 254 230 230 230 271 267 805 986 364 355 | P0812
LH6 Hazardous Certification: 93 272 273 273 | P0203
LHE Empty Equipment Hazardous Material Information: 224! 218! 128! 127! 759
LHR Hazardous Material Identifying Reference Numbers: 128! 127! 373
LHT Transborder Hazardous Requirements: 215 218 222
LIN Item Identification: 350 235! 234! 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 | P0405 P0607 P0809 P1011 P1213 P1415 P1617 P1819 P2021 P2223 P2425 P2627 P2829 P3031
LM  Code Source Information: 559! 822
LQ  Industry Code Identification: 1270 1271 | C0102
LS  Loop Header: 447!
LX  Transaction Set Line Number: 554!
MAN Marks and Numbers: 88! 87! 87 88 87 87 | P0405 C0605
MEA Measurements: 737 738 739 C001 740 741 935 936 752 1373 | R03050608 C0504 C0604 L07030506 E0803
MSG Message Text: 933! 934 1470 | C0302
MTX Text: 363 1551 1551 934 | C0102 C0302
N1  Party Identification: 98! 93 66 67 706 98 | R0203 P0304
N2  Additional Name Information: 93! 93
N3  Party Location: 166! 166
N4  Geographic Location: 19 156 116 26 309 310 | C0605
N9  Reference Identification: 128! 127 369 373 337 623 C040 | R0203 C0605
NTE Note/Special Instruction: 363 352!
NX2 Location ID Component: 1106! 166! 1096
PAL Pallet Information: 883 884 885 356 395 355 82 189 65 355 384 355 385 355 399 810 | P0506 C0710 C0810 C0910 L10070809 P1112 P1314
PAM Period Amount: 673 380 C001 522 782 344 374 373 337 374 373 337 1004 954 1073 | P010203 R020514 P0405 C0706 P0607 L070809 C0807 C0907 L101112 C1110 P1314
PCT Percent Amounts: 1004! 954!
PER Administrative Communications Contact: 366! 93 365 364 365 364 365 364 443 | P0304 P0506 P0708
PID Product/Item Description: 349! 750 559 751 352 752 822 1073 819 | C0403 R0405 C0703 C0804 C0905
PKG Marking, Packaging, Loading: 349 753 559 754 352 400 | C0403 R040506 C0501
PO1 Purchase Order Baseline Item Data: 350 330 355 212 639 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 | C0302 C0504 P0607 P0809 P1011 P1213 P1415 P1617 P1819 P2021 P2223 P2425
POC Line Item Change: 350 670! 330 671 C001 212 639 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 | C030405 C0706 P0809 P1011 P1213 P1415 P1617 P1819 P2021 P2223 P2425 P2627
PO3 Additional Item Detail: 371! 373 236 212 639 380! 355! 352 | L040305
PO4 Item Physical Details: 356 357 355 103 187 384 355 385 355 82 189 65 355 810 752 350 350 1470 | P0203 C0506 P0607 P0809 C1013 C1113 C1213 L13101112 C1716 C1804
PRF Purchase Order Reference: 324! 328 327 373 350 367 92
PWK Paperwork: 755! 756 757 98 66 67 352 C002 1525 | P0506
QTY Quantity: 673! 380 C001 61 | R0204 E0204
R2  Route Information: 140! 133! 19 154 177 91 296 296 76 373 369 56 742 | C0807
R4  Port or Terminal: 115! 309 310 114 26 174 113 156 | P0203
REF Reference Numbers: 128! 127 352 C040 | R0203
SAC Service, Promotion, Allowance, or Charge Information: 248! 1300 559 1301 610 378 332 118 355 380 380 331 127 770 352 819 | R0203 P0304 P0607 P0910 C1110 L130204 C1413 C1615
SCH Line Item Schedule: 380! 355! 98 93 374! 373! 337 374 373 337 326 350 | C0304 L080910 C0908 C1008
SDQ Destination Quantity: 355! 66 67! 380! 67 380 67 380 67 380 67 380 67 380 67 380 67 380 67 380 67 380 310 | P0506 P0708 P0910 P1112 P1314 P1516 P1718 P1920 P2122
SI  Service Characteristic Identification: 559! 1000! 234! 1000 234 1000 234 1000 234 1000 234 1000 234 1000 234 1000 234 1000 234 1000 234 | P0405 P0607 P0809 P1011 P1213 P1415 P1617 P1819 P2021
SLN Subline Item Detail: 350! 350 662! 380 C001 212 639 662 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 | P0405 C0706 C0806 P0910 P1112 P1314 P1516 P1718 P1920 P2122 P2324 P2526 P2728
SN1 Item Detail (Shipment): 350 382! 355! 646 330 355 728 668 | P0506
SPI Specification Identifier: 786! 128 127 790 791 792 353 755 786 559 822 554 1322 1401 1005 | P0203
TAX Tax Reference: 325 309 310 309 310 309 310 309 310 309 310 441 1179 | R0103 P0203 P0405 P0607 P0809 P1011
TC2 Commodity: 23! 22!
TD1 Carrier Details (Quantity and Weight): 103 80 23 22 79 187 81 355 183 355 | C0102 C0304 C0607 P0708 P0910
TD3 Carrier Details (Equipment): 40 206 207 187 81 355 102 407 225 24 | E0110 C0203 C0405 P0506
TD4 Carrier Details (Special Handling, or Hazardous Materials, or Both): 152 208 209 352 1073 | R010204 C0203
TD5 Carrier Details (Routing Sequence/Transit Time): 133 66 67 91 387 368 309 310 731 732 733 284 284 284 26 | R0204050612 C0203 C0708 C1011 C1312 C1413 C1512
TSD Trailer Shipment Details: 350 219
TXI Tax Information: 963! 782 954 955 956 441 662 828 325 350 | R020306 P0405 C0803
V1  Vessel Identification: 597 182 26 55 140 249 854 897 91 | R0102 C0801
W01 Line Item Detail: 330! 355! 438 235 234 235 234 59 121 23 22 416 451 286 235 234 | R0304 P0405 P0607 P1011 P1516
W03 Total Shipment Information: 382! 81 355 183 355 80 355 | C0203 P0405 P0607
W05 Shipping Order Identification: 473! 285! 324 472 474 640 306 | P0405
W06 Warehouse Shipment Identification: 514! 285 373 145 531 324 474 472 152 891 640 306 | P0708
W09 Equipment and Temperature: 40! 408 355 408 355 3 1122 488 380 | P0203 P0405
W10 Unit Load Detail: 400 406 399 225 225 408 355 408 355 | P0607 P0809
W12 Warehouse Item Detail: 368! 330 382 383 355 438 235 234 451 81 187 188 81 187 188 438 235 234 892 893 235 234 | R0607 P0708 P101112 P131415 P1718 P2122
W15 Warehouse Adjustment Identification: 373! 31 31 353 640 306 | P0203
W19 Quantity or Status Adjustment: 181! 477! 355! 438 235 234 235 234 451 81 187 188 81 187 188 529 235 234 | R0405 P0506 P0708 C101112 C131415 P1718
W20 Packing: 356 357 355 81 187 188 395 183 355 397 | P0203 P040506 P0809
W27 Carrier Detail: 91! 140 387 146 40 206 207 368 152 890 | R0203
W28 Consolidation Information: 604! 81 187 188 466 310 309 598 | P020304 P0607
W6  Special Handling Information: 152! 152 152 152
W66 Warehouse Carrier Information: 146! 91! 399 400 387 433 434 625 610 140 | P0809
W76 Total Shipping Order: 330! 81 355 183 355 398 | P0203 P0405 C0603
YNQ Yes/No Question: 1321 1073! 1250 1251 933 933 933 1270 1271 933 | E010910 P0304 C0908
BIG Beginning Segment for Invoice: 373! 76! 373 324 328 327 640 353 306 76
CAD Carrier Detail: 91 206 207 140 387 368 128 127 284 | R0405 C0708
ISS Invoice Shipment Summary: 382 355 81 355 183 355 380 81 | P0102 P0304 P0506 P0708
IT1 Baseline Item Data (Invoice): 350 358 355 212 639 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 235 234 | P020304 P0607 P0809 P1011 P1213 P1415 P1617 P1819 P2021 P2223 P2425
TDS Total Monetary Value Summary: 610! 610 610 610
"""
