// The public headers compile as C++ and link from a C++ program.
#include <caremetrics.h>

#include <cstdio>

int main()
{
    cm_csat acc = {};
    if (cm_csat_add(&acc, 5) != CM_OK)
        return 1;
    std::printf("C++: libcaremetrics %s\n", cm_version_string());
    return cm_version() == CM_VERSION_NUMBER ? 0 : 1;
}
