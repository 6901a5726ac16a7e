# nightcast runtime image on the official Apache Spark image (Spark 4.1.0, Scala 2.13, Java 17).
#   docker build -t nightcast .
#   docker run --rm -e NIGHTCAST_PG_URL=jdbc:postgresql://db:5432/app -e NIGHTCAST_PG_USER=... \
#     -e NIGHTCAST_PG_PASSWORD=... -e NIGHTCAST_WAREHOUSE=s3a://bucket/warehouse \
#     -e NIGHTCAST_LANDING=s3a://bucket/landing -e AWS_ACCESS_KEY_ID=... -e AWS_SECRET_ACCESS_KEY=... \
#     nightcast run --env production --date 2001-01-20
# The entrypoint is bin/nightcast, which hands over to spark-submit inside the image
# (NIGHTCAST_SPARK_SUBMIT=1); pass master and resources with NIGHTCAST_SUBMIT_ARGS.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY jobs/pom.xml jobs/
RUN mvn -B -q -pl jobs dependency:go-offline
COPY jobs/src jobs/src
COPY sql sql
RUN mvn -B -q -DskipTests package \
 && mvn -B -q -pl jobs dependency:copy -Dartifact=org.apache.hadoop:hadoop-aws:3.4.2 -DoutputDirectory=/src/s3-jars \
 && mvn -B -q -pl jobs dependency:copy -Dartifact=software.amazon.awssdk:bundle:2.29.52 -DoutputDirectory=/src/s3-jars

FROM apache/spark:4.1.0-scala2.13-java17-ubuntu
USER root
ENV NIGHTCAST_HOME=/opt/nightcast \
    NIGHTCAST_SPARK_SUBMIT=1 \
    NIGHTCAST_JAR=/opt/nightcast/jobs/target/nightcast.jar \
    PATH=/opt/spark/bin:$PATH
# hadoop-aws and its AWS SDK bundle (~640 MB) go on Spark's classpath, not into our jar
COPY --from=build /src/s3-jars/ /opt/spark/jars/
COPY --from=build /src/jobs/target/nightcast.jar /opt/nightcast/jobs/target/nightcast.jar
COPY conf /opt/nightcast/conf
COPY bin/nightcast /opt/nightcast/bin/nightcast
RUN chmod 0755 /opt/nightcast/bin/nightcast && chown -R spark:spark /opt/nightcast
WORKDIR /opt/nightcast
USER spark
ENTRYPOINT ["/opt/nightcast/bin/nightcast"]
CMD ["--help"]
