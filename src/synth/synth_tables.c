/* SPDX-License-Identifier: Apache-2.0 */
/*
 * synth/synth_tables.c - implements the static vocabularies of the generator: Azure
 * regions (with their geography and pair, from docs/formats.md section 5), countries
 * with a city, coordinates, ASN and typical address space, user agents, first-party
 * Entra applications (well-known application ids), personal and company names.
 *
 * Every string here is emitted into JSON unescaped, so none contains '"' or '\'.
 */
#include "synth/synth_int.h"

const struct sy_region sy_regions[] = {
    { "westeurope", "West Europe", "Europe", "northeurope", 1, true },
    { "northeurope", "North Europe", "Europe", "westeurope", 0, true },
    { "francecentral", "France Central", "France", "francesouth", 1, true },
    { "germanywestcentral", "Germany West Central", "Germany", "germanynorth", 1, true },
    { "swedencentral", "Sweden Central", "Sweden", "swedensouth", 1, true },
    { "uksouth", "UK South", "United Kingdom", "ukwest", 0, false },
    { "eastus", "East US", "United States", "westus", -5, false },
    { "eastus2", "East US 2", "United States", "centralus", -5, false },
    { "westus", "West US", "United States", "eastus", -8, false },
    { "canadacentral", "Canada Central", "Canada", "canadaeast", -5, false },
    { "australiaeast", "Australia East", "Australia", "australiasoutheast", 10, false },
    { "japaneast", "Japan East", "Japan", "japanwest", 9, false },
    /* pairs and secondaries (not picked as a home region) */
    { "francesouth", "France South", "France", "francecentral", 1, true },
    { "germanynorth", "Germany North", "Germany", "germanywestcentral", 1, true },
    { "swedensouth", "Sweden South", "Sweden", "swedencentral", 1, true },
    { "ukwest", "UK West", "United Kingdom", "uksouth", 0, false },
    { "centralus", "Central US", "United States", "eastus2", -6, false },
    { "canadaeast", "Canada East", "Canada", "canadacentral", -5, false },
    { "australiasoutheast", "Australia Southeast", "Australia", "australiaeast", 10, false },
    { "japanwest", "Japan West", "Japan", "japaneast", 9, false },
};
const size_t sy_n_regions = SS_ARRAY_LEN(sy_regions);

/*
 * Address space: first octets of large consumer/business allocations of each country, so
 * that addresses look plausible; the embargoed countries use well-known national blocks.
 */
const struct sy_country sy_countries[] = {
    { "NL", "Amsterdam", "Noord-Holland", "52.3676", "4.9041", 1136, { 145, 84, 77, 217 }, 1 },
    { "IE", "Dublin", "Dublin", "53.3498", "-6.2603", 5466, { 86, 89, 109, 78 }, 0 },
    { "FR", "Paris", "Ile-de-France", "48.8566", "2.3522", 3215, { 90, 92, 86, 109 }, 1 },
    { "DE", "Frankfurt am Main", "Hessen", "50.1109", "8.6821", 3320, { 91, 79, 87, 93 }, 1 },
    { "SE", "Stockholm", "Stockholms Lan", "59.3293", "18.0686", 3301, { 81, 83, 90, 78 }, 1 },
    { "GB", "London", "England", "51.5072", "-0.1276", 2856, { 81, 86, 90, 109 }, 0 },
    { "US", "Ashburn", "Virginia", "39.0438", "-77.4874", 7922, { 73, 98, 24, 71 }, -5 },
    { "CA", "Toronto", "Ontario", "43.6532", "-79.3832", 577, { 99, 174, 70, 142 }, -5 },
    { "AU", "Sydney", "New South Wales", "-33.8688", "151.2093", 1221, { 101, 120, 110, 49 }, 10 },
    { "JP", "Tokyo", "Tokyo", "35.6762", "139.6503", 2516, { 126, 153, 114, 180 }, 9 },
    { "ES", "Madrid", "Madrid", "40.4168", "-3.7038", 3352, { 83, 88, 95, 79 }, 1 },
    { "IT", "Milan", "Lombardia", "45.4642", "9.19", 3269, { 79, 87, 93, 151 }, 1 },
    { "IN", "Pune", "Maharashtra", "18.5204", "73.8567", 24560, { 122, 117, 49, 106 }, 5 },
    /* embargoed */
    { "IR", "Tehran", "Tehran", "35.6892", "51.389", 58224, { 2, 5, 37, 91 }, 3 },
    { "KP", "Pyongyang", "Pyongyang", "39.0392", "125.7625", 131279, { 175, 175, 175, 175 }, 9 },
    { "SY", "Damascus", "Dimashq", "33.5138", "36.2765", 29256, { 31, 5, 82, 178 }, 3 },
    { "CU", "Havana", "La Habana", "23.1136", "-82.3666", 27725, { 152, 152, 181, 190 }, -5 },
};
const size_t sy_n_countries = SS_ARRAY_LEN(sy_countries);

const struct sy_ua sy_uas[] = {
    { "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
      "Windows10", "Edge 124.0.0", "Browser" },
    { "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/124.0.0.0 Safari/537.36",
      "Windows10", "Chrome 124.0.0", "Browser" },
    { "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
      "Version/17.4.1 Safari/605.1.15",
      "MacOs", "Safari 17.4.1", "Browser" },
    { "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
      "Windows10", "Firefox 125.0", "Browser" },
    { "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
      "like Gecko) Mobile/15E148",
      "Ios 17.4.1", "Mobile Safari", "Mobile Apps and Desktop clients" },
    { "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/123.0.0.0 Safari/537.36",
      "Linux", "Chrome 123.0.0", "Browser" },
    { "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0 Teams/24102.2223.2870.9480",
      "Windows10", "Rich Client 24102.2223.2870", "Mobile Apps and Desktop clients" },
    { "Outlook-iOS/723.4027091.prod.iphone (4.2414.0)", "Ios 17.4.1", "Rich Client 4.2414.0",
      "Mobile Apps and Desktop clients" },
};
const size_t sy_n_uas = SS_ARRAY_LEN(sy_uas);

const struct sy_app sy_apps[] = {
    { "1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams",
      "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", "Microsoft Teams Services", true },
    { "d3590ed6-52b3-4102-aeff-aad2292ab01c", "Microsoft Office",
      "00000003-0000-0000-c000-000000000000", "Microsoft Graph", true },
    { "4765445b-32c6-49b0-83e6-1d93765276ca", "OfficeHome", "00000003-0000-0000-c000-000000000000",
      "Microsoft Graph", true },
    { "27922004-5251-4030-b22d-91ecd9a37ea4", "Outlook Mobile",
      "00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online", true },
    { "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure Portal",
      "797f4846-ba00-4fd7-ba43-dac1f8f63013", "Windows Azure Service Management API", true },
    { "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "Microsoft Azure CLI",
      "797f4846-ba00-4fd7-ba43-dac1f8f63013", "Windows Azure Service Management API", true },
    { "1950a258-227b-4e31-a9cf-717495945fc2", "Microsoft Azure PowerShell",
      "797f4846-ba00-4fd7-ba43-dac1f8f63013", "Windows Azure Service Management API", true },
    { "d3590ed6-52b3-4102-aeff-aad2292ab01c", "Microsoft Office",
      "00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online", true },
};
const size_t sy_n_apps = SS_ARRAY_LEN(sy_apps);

const char *const sy_given_names[] = {
    "Anna",   "Ben",    "Chloe", "David", "Emma",   "Farid", "Grace",     "Hugo",
    "Ines",   "Jonas",  "Katja", "Liam",  "Maya",   "Noah",  "Olivia",    "Pieter",
    "Quinn",  "Rosa",   "Samir", "Tessa", "Umar",   "Vera",  "Willem",    "Xenia",
    "Yusuf",  "Zoe",    "Aiko",  "Bram",  "Carmen", "Daan",  "Elif",      "Finn",
    "Giulia", "Hannah", "Ivan",  "Julia", "Kenji",  "Lena",  "Marco",     "Nadia",
    "Oscar",  "Priya",  "Ruben", "Sofia", "Tobias", "Ugo",   "Valentina", "Wen",
};
const size_t sy_n_given_names = SS_ARRAY_LEN(sy_given_names);

const char *const sy_surnames[] = {
    "Jansen",  "Schmidt",   "Dubois", "Murphy",   "Svensson", "Smith",    "Johnson", "Tremblay",
    "Nguyen",  "Tanaka",    "Garcia", "Rossi",    "Patel",    "de Vries", "Muller",  "Martin",
    "Kelly",   "Lindqvist", "Brown",  "Williams", "Roy",      "Wilson",   "Sato",    "Lopez",
    "Bianchi", "Sharma",    "Bakker", "Fischer",  "Bernard",  "Walsh",    "Nilsson", "Taylor",
};
const size_t sy_n_surnames = SS_ARRAY_LEN(sy_surnames);

const struct sy_name_pair sy_companies[] = {
    { "contoso", "Contoso Ltd" },
    { "fabrikam", "Fabrikam Inc" },
    { "northwind", "Northwind Traders" },
    { "adatum", "A. Datum Corporation" },
    { "tailspin", "Tailspin Toys" },
    { "wingtip", "Wingtip Toys" },
    { "woodgrove", "Woodgrove Bank" },
    { "litware", "Litware Inc" },
    { "proseware", "Proseware Inc" },
    { "fourthcoffee", "Fourth Coffee" },
    { "alpineski", "Alpine Ski House" },
    { "blueyonder", "Blue Yonder Airlines" },
    { "cohowinery", "Coho Winery" },
    { "lucerne", "Lucerne Publishing" },
    { "margies", "Margie's Travel" },
    { "treyresearch", "Trey Research" },
    { "wideworld", "Wide World Importers" },
    { "humongous", "Humongous Insurance" },
    { "relecloud", "Relecloud" },
    { "graphicdesign", "Graphic Design Institute" },
    { "southridge", "Southridge Video" },
    { "cpandl", "City Power and Light" },
    { "lamna", "Lamna Healthcare" },
    { "fincher", "Fincher Architects" },
};
const size_t sy_n_companies = SS_ARRAY_LEN(sy_companies);

const char *const sy_storage_uas[] = {
    "azsdk-net-Storage.Blobs/12.19.1 (.NET 8.0.4; Linux 5.15.0-1061-azure #70-Ubuntu SMP Fri "
    "Mar 29 17:45:13 UTC 2024)",
    "azsdk-python-storage-blob/12.19.1 Python/3.11.9 "
    "(Linux-5.15.0-1064-azure-x86_64-with-glibc2.35)",
    "azsdk-java-azure-storage-blob/12.25.1 (17.0.10; Linux; 5.15.0-1061-azure)",
    "Azure-Storage/12.20.0 (.NET 6.0.29; Microsoft Windows 10.0.20348)",
    "AzCopy/10.24.0 azsdk-go-azblob/v1.3.2 (go1.21.9; linux)",
    "Microsoft Azure Storage Explorer, 1.33.1, win32, azsdk-js-storageblob/12.17.0 "
    "(NODE-VERSION v18.18.2; Windows_NT 10.0.22631)",
};
const size_t sy_n_storage_uas = SS_ARRAY_LEN(sy_storage_uas);

const struct sy_region *sy_region_find(const char *name)
{
    for (size_t i = 0; i < sy_n_regions; i++)
        if (strcmp(sy_regions[i].name, name) == 0)
            return &sy_regions[i];
    return NULL;
}

size_t sy_country_find(const char *code)
{
    for (size_t i = 0; i < sy_n_countries; i++)
        if (strcmp(sy_countries[i].code, code) == 0)
            return i;
    return SIZE_MAX;
}
