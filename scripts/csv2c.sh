#!/bin/sh
# csv2c.sh NAME FILE: emit a C source defining `const char NAME[]` with the
# bytes of FILE, so data shipped as a file is compiled into the binary.
name=$1
file=$2
echo "/* generated from $file by scripts/csv2c.sh; do not edit */"
echo "const char ${name}[] ="
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' "$file"
echo ";"
