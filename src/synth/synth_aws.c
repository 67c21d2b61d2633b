/* SPDX-License-Identifier: Apache-2.0 */
/*
 * synth/synth_aws.c - implements one AWS account's CloudTrail for a synthetic case: the
 * body of a delivered log file, {"Records":[...]} on one line, holding management and
 * S3 data events of eventVersion 1.10 (docs/formats.md section 6) from the events'
 * delivery window, merged with the injected console sign-in from the embargoed address.
 * It also reports the eventTime range and where the last record starts, for the digest
 * files (synth_digest.c).
 */
#include "synth/synth_int.h"

struct ct {
    const struct sy_world *w;
    const struct sy_file *f;
    struct sy_rng *r;
    struct sy_w *o;
    struct sy_result *res;
    const char *region;
    bool first;
    struct sy_ct_info info;
};

enum ident {
    ID_ROLE,    /* workload role assumed by an EC2 instance */
    ID_SSO,     /* a person through IAM Identity Center */
    ID_USER,    /* long-term IAM user key */
    ID_SERVICE, /* an AWS service */
};

struct ct_ev {
    const char *source;
    const char *name;
    bool read_only;
    bool data;
    enum ident ident;
    unsigned weight;
    bool global; /* only in us-east-1 */
};

static const struct ct_ev ct_events[] = {
    { "s3.amazonaws.com", "GetObject", true, true, ID_ROLE, 20, false },
    { "s3.amazonaws.com", "PutObject", false, true, ID_ROLE, 12, false },
    { "s3.amazonaws.com", "ListObjects", true, true, ID_ROLE, 3, false },
    { "kms.amazonaws.com", "Decrypt", true, false, ID_ROLE, 12, false },
    { "kms.amazonaws.com", "GenerateDataKey", true, false, ID_ROLE, 6, false },
    { "sts.amazonaws.com", "AssumeRole", true, false, ID_SERVICE, 10, false },
    { "ec2.amazonaws.com", "DescribeInstances", true, false, ID_SSO, 8, false },
    { "sts.amazonaws.com", "GetCallerIdentity", true, false, ID_SSO, 4, false },
    { "ssm.amazonaws.com", "GetParameter", true, false, ID_ROLE, 5, false },
    { "logs.amazonaws.com", "CreateLogStream", false, false, ID_ROLE, 4, false },
    { "ecr.amazonaws.com", "GetAuthorizationToken", true, false, ID_ROLE, 2, false },
    { "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", false, false, ID_SSO, 1, false },
    { "cloudtrail.amazonaws.com", "LookupEvents", true, false, ID_SSO, 1, false },
    { "s3.amazonaws.com", "ListBuckets", true, false, ID_USER, 2, false },
    { "iam.amazonaws.com", "ListRoles", true, false, ID_SSO, 4, true },
    { "signin.amazonaws.com", "ConsoleLogin", false, false, ID_SSO, 1, true },
};

static const char *const sso_people[] = { "anna.jansen", "ben.murphy", "chloe.dubois",
                                          "david.schmidt" };

static uint32_t aws_ip(struct sy_rng *r)
{
    static const uint8_t firsts[] = { 3, 18, 34, 35, 52, 54 };

    return sy_ipv4_in(r, firsts, sizeof(firsts));
}

static void put_identity(struct ct *c, enum ident id, int64_t t, const char *event_source)
{
    struct sy_w *o = c->o;
    const char *acct = c->w->aws_acct;

    switch (id) {
    case ID_ROLE:
        SY_LIT(o, "{\"type\":\"AssumedRole\",\"principalId\":\"AROA");
        sy_put_alnum(o, c->r, 4, false);
        SY_LIT(o, "EXAMPLE7DATAPIPE:i-0");
        sy_put_hex(o, c->r, 16, false);
        SY_LIT(o, "\",\"arn\":\"arn:aws:sts::");
        sy_puts(o, acct);
        SY_LIT(o, ":assumed-role/DataPipelineRole/i-0");
        sy_put_hex(o, c->r, 16, false);
        SY_LIT(o, "\",\"accountId\":\"");
        sy_puts(o, acct);
        SY_LIT(o, "\",\"accessKeyId\":\"ASIA");
        sy_put_alnum(o, c->r, 16, false);
        SY_LIT(o, "\",\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\",\"principalId\":"
                  "\"AROAEXAMPLE7DATAPIPE\",\"arn\":\"arn:aws:iam::");
        sy_puts(o, acct);
        SY_LIT(o, ":role/DataPipelineRole\",\"accountId\":\"");
        sy_puts(o, acct);
        SY_LIT(o, "\",\"userName\":\"DataPipelineRole\"},\"attributes\":{\"creationDate\":\"");
        sy_put_ts(o, t - (int64_t)sy_below(c->r, 3500) * SY_TICKS_PER_SEC);
        SY_LIT(o, "\",\"mfaAuthenticated\":\"false\"},\"ec2RoleDelivery\":\"2.0\"}}");
        break;
    case ID_SSO: {
        const char *who = sso_people[sy_below(c->r, 4)];

        SY_LIT(o, "{\"type\":\"AssumedRole\",\"principalId\":\"AROAEXAMPLESSOADMIN:");
        sy_puts(o, who);
        SY_LIT(o, "@");
        sy_puts(o, c->w->t[1].domain);
        SY_LIT(o, "\",\"arn\":\"arn:aws:sts::");
        sy_puts(o, acct);
        SY_LIT(o, ":assumed-role/AWSReservedSSO_AdministratorAccess_3f1c8a2b9d4e6f70/");
        sy_puts(o, who);
        SY_LIT(o, "@");
        sy_puts(o, c->w->t[1].domain);
        SY_LIT(o, "\",\"accountId\":\"");
        sy_puts(o, acct);
        SY_LIT(o, "\",\"accessKeyId\":\"ASIA");
        sy_put_alnum(o, c->r, 16, false);
        SY_LIT(o, "\",\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\",\"principalId\":"
                  "\"AROAEXAMPLESSOADMIN\",\"arn\":\"arn:aws:iam::");
        sy_puts(o, acct);
        SY_LIT(o, ":role/aws-reserved/sso.amazonaws.com/eu-west-1/"
                  "AWSReservedSSO_AdministratorAccess_3f1c8a2b9d4e6f70\",\"accountId\":\"");
        sy_puts(o, acct);
        SY_LIT(o, "\",\"userName\":\"AWSReservedSSO_AdministratorAccess_3f1c8a2b9d4e6f70\"},"
                  "\"attributes\":{\"creationDate\":\"");
        sy_put_ts(o, t - (int64_t)sy_below(c->r, 7000) * SY_TICKS_PER_SEC);
        SY_LIT(o, "\",\"mfaAuthenticated\":\"true\"}}}");
        break;
    }
    case ID_USER:
        SY_LIT(o, "{\"type\":\"IAMUser\",\"principalId\":\"AIDAEXAMPLEBACKUP7Q2R\",\"arn\":"
                  "\"arn:aws:iam::");
        sy_puts(o, acct);
        SY_LIT(o, ":user/svc-backup\",\"accountId\":\"");
        sy_puts(o, acct);
        SY_LIT(o, "\",\"accessKeyId\":\"AKIAEXAMPLEBACKUP7Q2R\",\"userName\":\"svc-backup\"}");
        break;
    case ID_SERVICE:
    default:
        SY_LIT(o, "{\"type\":\"AWSService\",\"invokedBy\":\"");
        if (strcmp(event_source, "sts.amazonaws.com") == 0)
            SY_LIT(o, "ec2.amazonaws.com");
        else
            SY_LIT(o, "cloudtrail.amazonaws.com");
        SY_LIT(o, "\"}");
        break;
    }
}

static void put_s3_object(struct ct *c, bool put)
{
    struct sy_w *o = c->o;

    SY_LIT(o, "\"requestParameters\":{\"bucketName\":\"");
    sy_puts(o, c->w->aws_bucket);
    SY_LIT(o, "\",\"Host\":\"");
    sy_puts(o, c->w->aws_bucket);
    SY_LIT(o, ".s3.");
    sy_puts(o, c->region);
    SY_LIT(o, ".amazonaws.com\",\"key\":\"ingest/");
    sy_put_date(o, c->f->hour * SY_TICKS_PER_HOUR + c->w->start);
    SY_LIT(o, "/batch-");
    sy_put_hex(o, c->r, 10, false);
    SY_LIT(o, ".json.gz\"");
    if (put)
        SY_LIT(o, ",\"x-amz-server-side-encryption\":\"aws:kms\"");
    SY_LIT(o, "},\"responseElements\":");
    if (put) {
        SY_LIT(o, "{\"x-amz-server-side-encryption\":\"aws:kms\",\"x-amz-server-side-encryption-"
                  "aws-kms-key-id\":\"arn:aws:kms:");
        sy_puts(o, c->region);
        sy_putc(o, ':');
        sy_puts(o, c->w->aws_acct);
        SY_LIT(o, ":key/0f3e5a7b-9c1d-4e2f-8a6b-5c4d3e2f1a0b\"}");
    } else {
        SY_LIT(o, "null");
    }
    SY_LIT(o, ",\"additionalEventData\":{\"SignatureVersion\":\"SigV4\",\"CipherSuite\":"
              "\"TLS_AES_128_GCM_SHA256\",\"bytesTransferredIn\":");
    sy_put_u64(o, put ? sy_range(c->r, 2000, 9000000) : 0);
    SY_LIT(o, ",\"AuthenticationMethod\":\"AuthHeader\",\"x-amz-id-2\":\"");
    sy_put_alnum(o, c->r, 76, false);
    SY_LIT(o, "=\",\"bytesTransferredOut\":");
    sy_put_u64(o, put ? 0 : sy_range(c->r, 2000, 9000000));
    SY_LIT(o, "},");
}

static void put_params(struct ct *c, const struct ct_ev *e)
{
    struct sy_w *o = c->o;
    const char *n = e->name;

    if (strcmp(e->source, "s3.amazonaws.com") == 0 && e->data && strcmp(n, "ListObjects") != 0) {
        put_s3_object(c, strcmp(n, "PutObject") == 0);
        return;
    }
    SY_LIT(o, "\"requestParameters\":");
    if (strcmp(n, "ListObjects") == 0) {
        SY_LIT(o, "{\"bucketName\":\"");
        sy_puts(o, c->w->aws_bucket);
        SY_LIT(o, "\",\"prefix\":\"ingest/\",\"Host\":\"");
        sy_puts(o, c->w->aws_bucket);
        SY_LIT(o, ".s3.");
        sy_puts(o, c->region);
        SY_LIT(o, ".amazonaws.com\"},\"responseElements\":null,");
    } else if (strcmp(n, "Decrypt") == 0 || strcmp(n, "GenerateDataKey") == 0) {
        SY_LIT(o, "{");
        if (n[0] == 'G')
            SY_LIT(o, "\"keyId\":\"alias/data-pipeline\",\"keySpec\":\"AES_256\",");
        SY_LIT(o, "\"encryptionAlgorithm\":\"SYMMETRIC_DEFAULT\",\"encryptionContext\":{"
                  "\"aws:s3:arn\":\"arn:aws:s3:::");
        sy_puts(o, c->w->aws_bucket);
        SY_LIT(o, "/ingest/\"}},\"responseElements\":null,\"resources\":[{\"accountId\":\"");
        sy_puts(o, c->w->aws_acct);
        SY_LIT(o, "\",\"type\":\"AWS::KMS::Key\",\"ARN\":\"arn:aws:kms:");
        sy_puts(o, c->region);
        sy_putc(o, ':');
        sy_puts(o, c->w->aws_acct);
        SY_LIT(o, ":key/0f3e5a7b-9c1d-4e2f-8a6b-5c4d3e2f1a0b\"}],");
    } else if (strcmp(n, "AssumeRole") == 0) {
        SY_LIT(o, "{\"roleArn\":\"arn:aws:iam::");
        sy_puts(o, c->w->aws_acct);
        SY_LIT(o, ":role/DataPipelineRole\",\"roleSessionName\":\"i-0");
        sy_put_hex(o, c->r, 16, false);
        SY_LIT(o, "\",\"durationSeconds\":3600},\"responseElements\":{\"credentials\":{"
                  "\"accessKeyId\":\"ASIA");
        sy_put_alnum(o, c->r, 16, false);
        SY_LIT(o, "\",\"sessionToken\":\"HIDDEN_DUE_TO_SECURITY_REASONS\",\"expiration\":\"");
        sy_put_date(o, c->w->start + (int64_t)c->f->hour * SY_TICKS_PER_HOUR);
        SY_LIT(o,
               "T23:59:59Z\"},\"assumedRoleUser\":{\"assumedRoleId\":\"AROAEXAMPLE7DATAPIPE:i-0");
        sy_put_hex(o, c->r, 16, false);
        SY_LIT(o, "\",\"arn\":\"arn:aws:sts::");
        sy_puts(o, c->w->aws_acct);
        SY_LIT(o, ":assumed-role/DataPipelineRole/i-0");
        sy_put_hex(o, c->r, 16, false);
        SY_LIT(o, "\"}},\"resources\":[{\"accountId\":\"");
        sy_puts(o, c->w->aws_acct);
        SY_LIT(o, "\",\"type\":\"AWS::IAM::Role\",\"ARN\":\"arn:aws:iam::");
        sy_puts(o, c->w->aws_acct);
        SY_LIT(o, ":role/DataPipelineRole\"}],");
    } else if (strcmp(n, "DescribeInstances") == 0) {
        SY_LIT(o, "{\"instancesSet\":{},\"filterSet\":{\"items\":[{\"name\":\"instance-state-name"
                  "\",\"valueSet\":{\"items\":[{\"value\":\"running\"}]}}]}},\"responseElements\""
                  ":null,");
    } else if (strcmp(n, "GetParameter") == 0) {
        SY_LIT(o, "{\"name\":\"/pipeline/prod/db-password\",\"withDecryption\":true},"
                  "\"responseElements\":null,");
    } else if (strcmp(n, "CreateLogStream") == 0) {
        SY_LIT(o, "{\"logGroupName\":\"/aws/ec2/data-pipeline\",\"logStreamName\":\"i-0");
        sy_put_hex(o, c->r, 16, false);
        SY_LIT(o, "\"},\"responseElements\":null,");
    } else if (strcmp(n, "AuthorizeSecurityGroupIngress") == 0) {
        SY_LIT(o, "{\"groupId\":\"sg-0");
        sy_put_hex(o, c->r, 16, false);
        SY_LIT(o, "\",\"ipPermissions\":{\"items\":[{\"ipProtocol\":\"tcp\",\"fromPort\":443,"
                  "\"toPort\":443,\"groups\":{},\"ipRanges\":{\"items\":[{\"cidrIp\":"
                  "\"10.20.0.0/16\"}]},\"ipv6Ranges\":{},\"prefixListIds\":{}}]}},"
                  "\"responseElements\":{\"requestId\":\"");
        sy_put_guid(o, c->r);
        SY_LIT(o, "\",\"_return\":true},");
    } else if (strcmp(n, "LookupEvents") == 0) {
        SY_LIT(o, "{\"maxResults\":50,\"lookupAttributes\":[{\"attributeKey\":\"EventName\","
                  "\"attributeValue\":\"ConsoleLogin\"}]},\"responseElements\":null,");
    } else if (strcmp(n, "ListRoles") == 0) {
        SY_LIT(o, "{\"maxItems\":1000},\"responseElements\":null,");
    } else if (strcmp(n, "ConsoleLogin") == 0) {
        SY_LIT(o, "null,\"responseElements\":{\"ConsoleLogin\":\"Success\"},"
                  "\"additionalEventData\":{\"LoginTo\":\"https://console.aws.amazon.com/"
                  "console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_");
        sy_put_hex(o, c->r, 16, false);
        SY_LIT(o, "\",\"MobileVersion\":\"No\",\"MFAUsed\":\"Yes\"},");
    } else {
        SY_LIT(o, "null,\"responseElements\":null,");
    }
}

static void put_tls(struct ct *c, const char *source, bool bucket_host)
{
    struct sy_w *o = c->o;

    SY_LIT(o, ",\"tlsDetails\":{\"tlsVersion\":\"TLSv1.3\",\"cipherSuite\":"
              "\"TLS_AES_128_GCM_SHA256\",\"clientProvidedHostHeader\":\"");
    if (strcmp(source, "s3.amazonaws.com") == 0 && bucket_host) {
        sy_puts(o, c->w->aws_bucket);
        SY_LIT(o, ".s3.");
        sy_puts(o, c->region);
        SY_LIT(o, ".amazonaws.com");
    } else if (strcmp(source, "iam.amazonaws.com") == 0) {
        SY_LIT(o, "iam.amazonaws.com");
    } else {
        size_t n = strlen(source) - strlen(".amazonaws.com");

        sy_put(o, source, n);
        sy_putc(o, '.');
        sy_puts(o, c->region);
        SY_LIT(o, ".amazonaws.com");
    }
    SY_LIT(o, "\"}");
}

static const struct ct_ev *pick_event(struct ct *c)
{
    unsigned total = 0, roll;
    bool us = strcmp(c->region, "us-east-1") == 0;

    for (size_t i = 0; i < SS_ARRAY_LEN(ct_events); i++)
        if (!ct_events[i].global || us)
            total += ct_events[i].weight;
    roll = sy_below(c->r, total);
    for (size_t i = 0; i < SS_ARRAY_LEN(ct_events); i++) {
        if (ct_events[i].global && !us)
            continue;
        if (roll < ct_events[i].weight)
            return &ct_events[i];
        roll -= ct_events[i].weight;
    }
    return &ct_events[0];
}

/* Start a record at @t: the separator, then note where it begins and its time. */
static void begin_record(struct ct *c, int64_t t)
{
    if (!c->first)
        sy_putc(c->o, ',');
    c->first = false;
    c->info.last_rec = sy_w_len(c->o);
    c->info.n_records++;
    if (t < c->info.oldest)
        c->info.oldest = t;
    if (t > c->info.newest)
        c->info.newest = t;
}

static int emit_record(struct ct *c, const struct ct_ev *e, int64_t t)
{
    struct sy_w *o = c->o;
    bool console = strcmp(e->name, "ConsoleLogin") == 0;
    int r = sy_w_reserve(o, SY_REC_MAX);

    if (r < 0)
        return r;
    begin_record(c, t);
    SY_LIT(o, "{\"eventVersion\":\"");
    if (e->data)
        SY_LIT(o, "1.10");
    else
        SY_LIT(o, "1.09");
    SY_LIT(o, "\",\"userIdentity\":");
    put_identity(c, e->ident, t, e->source);
    SY_LIT(o, ",\"eventTime\":\"");
    sy_put_ts(o, t);
    SY_LIT(o, "\",\"eventSource\":\"");
    sy_puts(o, e->source);
    SY_LIT(o, "\",\"eventName\":\"");
    sy_puts(o, e->name);
    SY_LIT(o, "\",\"awsRegion\":\"");
    sy_puts(o, c->region);
    SY_LIT(o, "\",\"sourceIPAddress\":\"");
    if (e->ident == ID_SERVICE) {
        SY_LIT(o, "ec2.amazonaws.com");
    } else if (e->ident == ID_SSO) {
        sy_put_ipv4(o, c->w->t[1].egress[sy_below(c->r, 2)]);
    } else {
        sy_put_ipv4(o, aws_ip(c->r));
    }
    SY_LIT(o, "\",\"userAgent\":\"");
    if (e->ident == ID_SERVICE)
        SY_LIT(o, "ec2.amazonaws.com");
    else if (console)
        sy_puts(o, sy_uas[1].ua);
    else if (e->ident == ID_SSO)
        SY_LIT(o, "aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0 md/arch#x86_64 "
                  "lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe "
                  "md/distrib#ubuntu.22 md/prompt#off md/command#ec2.describe-instances");
    else
        SY_LIT(o, "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.215-203.850.amzn2."
                  "x86_64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#"
                  "legacy Botocore/1.34.84");
    SY_LIT(o, "\",");
    put_params(c, e);
    SY_LIT(o, "\"requestID\":\"");
    sy_put_alnum(o, c->r, 16, false);
    SY_LIT(o, "\",\"eventID\":\"");
    sy_put_guid(o, c->r);
    SY_LIT(o, "\",\"readOnly\":");
    if (e->read_only)
        SY_LIT(o, "true");
    else
        SY_LIT(o, "false");
    if (e->data) {
        SY_LIT(o, ",\"resources\":[{\"type\":\"AWS::S3::Object\",\"ARN\":\"arn:aws:s3:::");
        sy_puts(o, c->w->aws_bucket);
        SY_LIT(o, "/ingest/\"},{\"accountId\":\"");
        sy_puts(o, c->w->aws_acct);
        SY_LIT(o, "\",\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::");
        sy_puts(o, c->w->aws_bucket);
        SY_LIT(o, "\"}]");
    }
    SY_LIT(o, ",\"eventType\":\"");
    if (console)
        SY_LIT(o, "AwsConsoleSignIn");
    else
        SY_LIT(o, "AwsApiCall");
    SY_LIT(o, "\",\"managementEvent\":");
    if (e->data)
        SY_LIT(o, "false");
    else
        SY_LIT(o, "true");
    SY_LIT(o, ",\"recipientAccountId\":\"");
    sy_puts(o, c->w->aws_acct);
    SY_LIT(o, "\",\"eventCategory\":\"");
    if (e->data)
        SY_LIT(o, "Data");
    else
        SY_LIT(o, "Management");
    sy_putc(o, '"');
    if (e->ident != ID_SERVICE && !console)
        put_tls(c, e->source, strcmp(e->name, "ListBuckets") != 0);
    sy_putc(o, '}');
    c->res->records++;
    return 0;
}

/* The console login of the embargo scenario: an IAM user, from the Iranian address. */
static int emit_embargo_login(struct ct *c, int64_t t)
{
    const struct sy_world *w = c->w;
    const struct sy_user *u = &w->u[w->emb_user];
    const char *at = strchr(u->upn, '@');
    struct sy_w *o = c->o;
    int r = sy_w_reserve(o, SY_REC_MAX);

    if (r < 0)
        return r;
    begin_record(c, t);
    SY_LIT(o, "{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"IAMUser\","
              "\"principalId\":\"AIDAEXAMPLEUSER4K9P\",\"arn\":\"arn:aws:iam::");
    sy_puts(o, w->aws_acct);
    SY_LIT(o, ":user/");
    sy_put(o, u->upn, (size_t)(at - u->upn));
    SY_LIT(o, "\",\"accountId\":\"");
    sy_puts(o, w->aws_acct);
    SY_LIT(o, "\",\"userName\":\"");
    sy_put(o, u->upn, (size_t)(at - u->upn));
    SY_LIT(o, "\"},\"eventTime\":\"");
    sy_put_ts(o, t);
    SY_LIT(o, "\",\"eventSource\":\"signin.amazonaws.com\",\"eventName\":\"ConsoleLogin\","
              "\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"");
    sy_put_ipv4(o, w->emb[0].ip);
    SY_LIT(o, "\",\"userAgent\":\"");
    sy_puts(o, sy_uas[5].ua);
    SY_LIT(o, "\",\"requestParameters\":null,\"responseElements\":{\"ConsoleLogin\":"
              "\"Success\"},\"additionalEventData\":{\"LoginTo\":\"https://console.aws.amazon.com"
              "/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_");
    sy_put_hex(o, c->r, 16, false);
    SY_LIT(o, "\",\"MobileVersion\":\"No\",\"MFAUsed\":\"No\"},\"eventID\":\"");
    sy_put_guid(o, c->r);
    SY_LIT(o, "\",\"readOnly\":false,\"eventType\":\"AwsConsoleSignIn\",\"managementEvent\":true,"
              "\"recipientAccountId\":\"");
    sy_puts(o, w->aws_acct);
    SY_LIT(o, "\",\"eventCategory\":\"Management\",\"tlsDetails\":{\"tlsVersion\":\"TLSv1.3\","
              "\"cipherSuite\":\"TLS_AES_128_GCM_SHA256\",\"clientProvidedHostHeader\":"
              "\"signin.aws.amazon.com\"}}");
    c->res->records++;
    return 0;
}

int sy_emit_cloudtrail(const struct sy_world *w, const struct sy_file *f, struct sy_rng *r,
                       struct sy_w *out, bool calib, struct sy_result *res, struct sy_ct_info *info)
{
    struct ct c = { .w = w,
                    .f = f,
                    .r = r,
                    .o = out,
                    .res = res,
                    .region = w->aws_regions[f->owner % SY_AWS_REGIONS],
                    .first = true,
                    .info = { .oldest = INT64_MAX, .newest = INT64_MIN } };
    int64_t span = SY_TICKS_PER_HOUR / (f->n_parts > 0 ? f->n_parts : 1);
    int64_t t0 = w->start + (int64_t)f->hour * SY_TICKS_PER_HOUR + (int64_t)f->part * span;
    const struct sy_event *ev = NULL;
    size_t n_ev = calib ? 0 : sy_world_events(w, SY_ST_CLOUDTRAIL, f->owner, t0, t0 + span, &ev);
    size_t k = 0;
    int rc = sy_w_reserve(out, 64);

    if (rc < 0)
        return rc;
    SY_LIT(out, "{\"Records\":[");
    for (uint32_t i = 0; i < f->n; i++) {
        /* whole seconds: CloudTrail times have no fraction */
        int64_t t =
            t0 + ((int64_t)i * span + (int64_t)(sy_next(r) % (uint64_t)span)) / (int64_t)f->n;

        t -= t % SY_TICKS_PER_SEC;
        for (; k < n_ev && ev[k].t <= t; k++) {
            rc = emit_embargo_login(&c, ev[k].t - ev[k].t % SY_TICKS_PER_SEC);
            if (rc < 0)
                return rc;
        }
        rc = emit_record(&c, pick_event(&c), t);
        if (rc < 0)
            return rc;
    }
    for (; k < n_ev; k++) {
        rc = emit_embargo_login(&c, ev[k].t - ev[k].t % SY_TICKS_PER_SEC);
        if (rc < 0)
            return rc;
    }
    rc = sy_w_reserve(out, 8);
    if (rc < 0)
        return rc;
    SY_LIT(out, "]}");
    if (info != NULL)
        *info = c.info;
    return 0;
}
